namespace KvArchive.Engine.Transfer;

/// <summary>What a restore does when the target vault already has a live object of the name.</summary>
public enum ExistingObjectPolicy
{
    /// <summary>Leave it as it is and report the entry as skipped (the default).</summary>
    Skip,
    /// <summary>Report the entry as failed with an error.</summary>
    Fail,
}
