using KvArchive.LocalVault.Http;

namespace KvArchive.LocalVault.Store;

/// <summary>
/// The one soft-delete life cycle of secrets, keys and certificates (and a certificate's managed key and secret):
/// Active → Deleting → Deleted → (Recovering → Active | Purging → gone), with the delays a vault is configured with
/// and the 404/409/403 answers the service gives on the way. Every method runs under the vault's lock.
/// </summary>
public static class SoftDeleteStateMachine
{
    private const long SecondsPerDay = 86_400;

    /// <summary>Applies the transitions that are due. False: the entry is gone (purged) and must be removed.</summary>
    public static bool Settle(ObjectEntry entry, long nowMs, long nowSeconds)
    {
        while (true)
        {
            switch (entry.State)
            {
                case EntryState.Deleting when nowMs >= entry.DueMs:
                    entry.State = EntryState.Deleted;
                    continue;
                case EntryState.Recovering when nowMs >= entry.DueMs:
                    entry.State = EntryState.Active;
                    entry.DeletedDate = 0;
                    entry.ScheduledPurgeDate = 0;
                    return true;
                case EntryState.Purging when nowMs >= entry.DueMs:
                    return false;
                case EntryState.Deleted when entry.ScheduledPurgeDate > 0 && nowSeconds >= entry.ScheduledPurgeDate:
                    return false;
                default:
                    return true;
            }
        }
    }

    /// <summary>
    /// The state <see cref="Settle"/> would give, without changing anything (null: purged). List scans use it so
    /// that positions never shift under them.
    /// </summary>
    public static EntryState? Effective(ObjectEntry entry, long nowMs, long nowSeconds) => entry.State switch
    {
        EntryState.Deleting when nowMs >= entry.DueMs => entry.ScheduledPurgeDate > 0 && nowSeconds >= entry.ScheduledPurgeDate ? null : EntryState.Deleted,
        EntryState.Recovering when nowMs >= entry.DueMs => EntryState.Active,
        EntryState.Purging when nowMs >= entry.DueMs => null,
        EntryState.Deleted when entry.ScheduledPurgeDate > 0 && nowSeconds >= entry.ScheduledPurgeDate => null,
        var state => state,
    };

    /// <summary>Throws the 409 the service gives when a name is busy with a delete, recover or purge, or soft-deleted.</summary>
    public static void EnsureNameFree(ObjectEntry? entry, ObjectKind kind, string name)
    {
        switch (entry?.State)
        {
            case EntryState.Deleting:
            case EntryState.Purging:
                throw VaultErrors.BeingDeleted(kind, entry.Name);
            case EntryState.Recovering:
                throw VaultErrors.BeingRecovered(kind, entry.Name);
            case EntryState.Deleted:
                throw VaultErrors.DeletedButRecoverable(kind, entry.Name);
            default:
                return;
        }
    }

    /// <summary>Returns the entry if it is live; otherwise throws the kind's 404.</summary>
    public static TEntry RequireActive<TEntry>(TEntry? entry, ObjectKind kind, string name, string? version = null)
        where TEntry : ObjectEntry
        => entry is { IsActive: true } ? entry : throw VaultErrors.NotFound(kind, name, version);

    /// <summary>Returns the entry if it is listed as deleted; otherwise throws "Deleted … not found".</summary>
    public static TEntry RequireDeleted<TEntry>(TEntry? entry, ObjectKind kind, string name)
        where TEntry : ObjectEntry
        => entry is { IsListedAsDeleted: true } ? entry : throw VaultErrors.DeletedNotFound(kind, name);

    /// <summary>Starts a delete of a live entry. True: the vault has no soft delete and the entry must be removed now.</summary>
    public static bool Delete(ObjectEntry entry, VaultSettings settings, long nowMs, long nowSeconds)
    {
        if (!settings.SoftDelete)
        {
            return true;
        }

        entry.DeletedDate = nowSeconds;
        entry.ScheduledPurgeDate = nowSeconds + (settings.RecoverableDays * SecondsPerDay);
        entry.State = settings.DeleteDelayMs > 0 ? EntryState.Deleting : EntryState.Deleted;
        entry.DueMs = nowMs + settings.DeleteDelayMs;
        return false;
    }

    /// <summary>Starts the recovery of a soft-deleted entry (404 if it is not in the Deleted state).</summary>
    public static void Recover(ObjectEntry? entry, VaultSettings settings, ObjectKind kind, string name, long nowMs)
    {
        if (entry is not { State: EntryState.Deleted } || entry.VersionCount == 0)
        {
            throw VaultErrors.NotFound(kind, name);
        }

        if (settings.DeleteDelayMs > 0)
        {
            entry.State = EntryState.Recovering;
            entry.DueMs = nowMs + settings.DeleteDelayMs;
        }
        else
        {
            entry.State = EntryState.Active;
            entry.DeletedDate = 0;
            entry.ScheduledPurgeDate = 0;
        }
    }

    /// <summary>Checks that a purge may start (404 if not soft-deleted, 403 under purge protection).</summary>
    public static void CheckPurge(ObjectEntry? entry, VaultSettings settings, ObjectKind kind, string name)
    {
        if (entry is not { State: EntryState.Deleted } || entry.VersionCount == 0)
        {
            throw VaultErrors.DeletedNotFound(kind, name);
        }

        if (settings.PurgeProtection)
        {
            throw VaultErrors.PurgeProtected(kind, entry.Name);
        }
    }

    /// <summary>Starts a purge checked by <see cref="CheckPurge"/>. True: the entry must be removed now.</summary>
    public static bool Purge(ObjectEntry entry, VaultSettings settings, long nowMs)
    {
        if (settings.DeleteDelayMs <= 0)
        {
            return true;
        }

        entry.State = EntryState.Purging;
        entry.DueMs = nowMs + settings.DeleteDelayMs;
        return false;
    }
}
