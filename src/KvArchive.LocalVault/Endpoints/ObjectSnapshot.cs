using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Endpoints;

/// <summary>
/// What an answer needs of an entry, captured under the vault lock (versions are immutable), so the JSON is
/// written after the lock is released.
/// </summary>
public sealed record ObjectSnapshot<TVersion>(
    string Name,
    TVersion Version,
    bool Managed,
    long DeletedDate,
    long ScheduledPurgeDate,
    string? PolicyJson = null,
    bool HasPending = false)
    where TVersion : ObjectVersion
{
    public static ObjectSnapshot<TVersion> Of(VersionedEntry<TVersion> entry, TVersion version)
        => new(entry.Name, version, entry.Managed, entry.DeletedDate, entry.ScheduledPurgeDate,
            (entry as CertificateEntry)?.PolicyJson, (entry as CertificateEntry)?.Pending is not null);
}
