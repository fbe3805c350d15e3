using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>An object to back up, by name (for <c>Backup-KvObject -Name</c>).</summary>
public sealed class BackupRequest
{
    /// <summary>Secret, Key or Certificate.</summary>
    public required KvObjectType Type { get; init; }

    /// <summary>The object's name.</summary>
    public required string Name { get; init; }

    /// <summary>The vault; null for the session's default vault.</summary>
    public Uri? VaultUri { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Type.Word()} {Name}";
}
