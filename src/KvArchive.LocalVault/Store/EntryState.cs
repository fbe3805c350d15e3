namespace KvArchive.LocalVault.Store;

/// <summary>Where a named object is in its soft-delete life cycle.</summary>
public enum EntryState
{
    /// <summary>Live: listed under /secrets, /keys, /certificates.</summary>
    Active,

    /// <summary>A delete is under way: visible nowhere, the name is busy (ObjectIsBeingDeleted).</summary>
    Deleting,

    /// <summary>Soft-deleted: listed under /deleted…, recoverable or purgeable (ObjectIsDeletedButRecoverable).</summary>
    Deleted,

    /// <summary>A recover is under way: visible nowhere, the name is busy (ObjectIsBeingRecovered).</summary>
    Recovering,

    /// <summary>A purge is under way: no longer listed as deleted, but the name is busy (ObjectIsBeingDeleted) until it completes.</summary>
    Purging,
}
