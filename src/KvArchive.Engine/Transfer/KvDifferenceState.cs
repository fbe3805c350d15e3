namespace KvArchive.Engine.Transfer;

/// <summary>How an object differs between a reference archive and a vault (or a second archive).</summary>
public enum KvDifferenceState
{
    /// <summary>In the vault (or the difference archive), not in the reference archive: never backed up there.</summary>
    Added,

    /// <summary>In the reference archive, no longer in the vault (or the difference archive): deleted since.</summary>
    Removed,

    /// <summary>In both, with a different current version or properties (or no backup in the archive).</summary>
    Changed,

    /// <summary>In both, alike (only with the comparison's include-equal choice).</summary>
    Unchanged,
}
