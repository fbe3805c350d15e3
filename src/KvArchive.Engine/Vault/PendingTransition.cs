namespace KvArchive.Engine.Vault;

/// <summary>An asynchronous change of a name's state that a client started.</summary>
internal enum PendingTransition
{
    Delete,
    Purge,
    Recover,
}
