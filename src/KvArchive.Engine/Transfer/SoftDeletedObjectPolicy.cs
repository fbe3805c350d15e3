namespace KvArchive.Engine.Transfer;

/// <summary>What a restore does when the target vault holds a soft-deleted object of the name.</summary>
public enum SoftDeletedObjectPolicy
{
    /// <summary>Report the entry as failed, naming the way out (the default).</summary>
    Fail,
    /// <summary>
    /// Purge the soft-deleted object (after ShouldProcess for that purge), wait for the purge, then restore.
    /// The deleted object is gone for good; the cmdlet asks for high-impact confirmation.
    /// </summary>
    Purge,
}
