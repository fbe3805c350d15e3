namespace KvArchive.Engine.Vault;

/// <summary>An asynchronous change of a name's state that a client started.</summary>
public enum PendingTransition
{
    /// <summary>A soft delete (or a delete in a vault without soft delete).</summary>
    Delete,
    /// <summary>A purge of a soft-deleted object.</summary>
    Purge,
    /// <summary>A recovery of a soft-deleted object.</summary>
    Recover,
}
