namespace KvArchive.LocalVault.Endpoints;

/// <summary>A soft-delete step a certificate passes on to its managed key and secret.</summary>
public enum LifecycleAction
{
    Delete,
    Recover,
    Purge,
}
