using KvArchive.LocalVault.Crypto;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Endpoints;

/// <summary>
/// How one kind's entry goes into a backup blob and comes back out: the blob's frame tag and the mapping between
/// the entry (with the entries it owns) and a <see cref="BackupPayload"/>. Used by
/// <see cref="ObjectEndpoints{TEntry, TVersion}.BackupAsync"/> and <see cref="ObjectEndpoints{TEntry, TVersion}.RestoreAsync"/>.
/// </summary>
public sealed class BackupMapping<TEntry>
    where TEntry : ObjectEntry
{
    /// <summary>The tag of the blob's frame (see <see cref="BackupBlobCodec"/>).</summary>
    public required string FrameTag { get; init; }

    /// <summary>Fills a payload (kind and name already set) from a live entry and what it owns. Under the lock.</summary>
    public required Action<Vault, TEntry, BackupPayload> FillPayload { get; init; }

    /// <summary>Whether a decoded payload holds what a restore needs; a payload that does not is a malformed backup.</summary>
    public required Func<BackupPayload, bool> IsComplete { get; init; }

    /// <summary>
    /// Under the lock, once the entry's own name is known to be free: checks that the names of the entries it owns
    /// are free too (409s) and removes their deleted remains.
    /// </summary>
    public Action<Vault, BackupPayload, long, long>? FreeOwnedNames { get; init; }

    /// <summary>
    /// The restored entry (not yet in its collection) with new sequences; the entries it owns are added to theirs.
    /// Under the lock.
    /// </summary>
    public required Func<Vault, BackupPayload, TEntry> FromPayload { get; init; }
}
