using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>The one output record per archive entry of a restore (what <c>Restore-KvObject</c> emits). Read-only.</summary>
public sealed class RestoreRecord
{
    /// <summary>Secret, Key or Certificate.</summary>
    public required KvObjectType Type { get; init; }

    /// <summary>The object's name.</summary>
    public required string Name { get; init; }

    /// <summary>Restored, Skipped, Failed or Planned.</summary>
    public required RestoreStatus Status { get; init; }

    /// <summary>Why it was skipped or failed, or the plan when only planned.</summary>
    public string? Reason { get; init; }

    /// <summary>The vault it was (or would be) restored into.</summary>
    public Uri? TargetVaultUri { get; init; }

    /// <summary>What the name was in the target vault when the entry was planned (null when it was not probed).</summary>
    public KvNameState? TargetState { get; init; }

    /// <summary>The versions the archive holds for it.</summary>
    public int Versions { get; init; }

    /// <summary>The archive's full path.</summary>
    public required string ArchivePath { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Type.Word()} {Name}: {Status}";
}
