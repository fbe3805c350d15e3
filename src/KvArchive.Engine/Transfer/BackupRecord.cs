using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>The one output record per object of a backup (what <c>Backup-KvObject</c> emits). Read-only.</summary>
public sealed class BackupRecord
{
    /// <summary>Secret, Key or Certificate.</summary>
    public required KvObjectType Type { get; init; }

    /// <summary>The object's name.</summary>
    public required string Name { get; init; }

    /// <summary>Saved, Skipped, Failed or Changed.</summary>
    public required BackupStatus Status { get; init; }

    /// <summary>Why it was skipped, failed or changed; null when saved.</summary>
    public string? Reason { get; init; }

    /// <summary>
    /// How many versions the backup holds, when they were listed (asked for, or needed); null when the object was
    /// backed up from its listing item alone (the service's backup holds every version either way); 0 when none
    /// was taken.
    /// </summary>
    public int? Versions { get; init; }

    /// <summary>Size of the blob in bytes (0 when none was taken).</summary>
    public long Size { get; init; }

    /// <summary>SHA-256 of the blob (lower-case hex), or null.</summary>
    public string? Sha256 { get; init; }

    /// <summary>The vault it was backed up from.</summary>
    public Uri? VaultUri { get; init; }

    /// <summary>The archive's full path.</summary>
    public required string ArchivePath { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Type.Word()} {Name}: {Status}";
}
