using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// One object that differs between an archive and a vault, or between two archives (what <c>Compare-KvArchive</c>
/// emits). Read-only. Its <see cref="Type"/>, <see cref="Name"/> and <see cref="VaultUri"/> bind by property name to
/// a backup of the object; <see cref="Path"/>, <see cref="Type"/> and <see cref="Name"/> to a restore of its
/// archived copy.
/// </summary>
public sealed class KvDifference
{
    /// <summary>Secret, Key or Certificate.</summary>
    public required KvObjectType Type { get; init; }

    /// <summary>The object's name.</summary>
    public required string Name { get; init; }

    /// <summary>Added, Removed, Changed or Unchanged (relative to the reference archive).</summary>
    public required KvDifferenceState State { get; init; }

    /// <summary>The properties that differ (Version, UpdatedOn, Enabled, Tags…); empty unless Changed.</summary>
    public IReadOnlyList<string> Changes { get; init; } = [];

    /// <summary>The reference archive's full path.</summary>
    public required string Path { get; init; }

    /// <summary>The vault compared with the archive (null when two archives were compared).</summary>
    public Uri? VaultUri { get; init; }

    /// <summary>The second archive's full path (null when an archive was compared with a vault).</summary>
    public string? DifferencePath { get; init; }

    /// <summary>The current version's id in the reference archive.</summary>
    public string? ReferenceVersion { get; init; }

    /// <summary>The current version's id in the vault (where the listing gives it) or the second archive.</summary>
    public string? DifferenceVersion { get; init; }

    /// <summary>When the current version was last updated, as the reference archive recorded it.</summary>
    public DateTimeOffset? ReferenceUpdatedOn { get; init; }

    /// <summary>When the current version was last updated, in the vault or the second archive.</summary>
    public DateTimeOffset? DifferenceUpdatedOn { get; init; }

    /// <summary>When the reference archive's copy was taken.</summary>
    public DateTimeOffset? BackedUpOn { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{State} {Type.Word()} {Name}";
}
