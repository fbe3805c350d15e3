namespace KvArchive.Engine.Transfer;

/// <summary>What a restore does next with an entry, decided by <see cref="RestorePlanner"/>.</summary>
internal enum RestoreStep
{
    /// <summary>The name exists and the policy is to leave it: skip the entry.</summary>
    SkipExisting,
    /// <summary>The name exists and the policy is to fail.</summary>
    FailExisting,
    /// <summary>The name is soft-deleted and the policy is to fail.</summary>
    FailSoftDeleted,
    /// <summary>The name is soft-deleted and the policy is to purge: ask first.</summary>
    AskPurge,
    /// <summary>Purge (already approved), then plan again after a pause.</summary>
    Purge,
    /// <summary>The name is being deleted or recovered: plan again after a pause.</summary>
    Wait,
    /// <summary>The name is free: ask first.</summary>
    AskRestore,
    /// <summary>The name is free and the restore approved: send the blob.</summary>
    Restore,
}
