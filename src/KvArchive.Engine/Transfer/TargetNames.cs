using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// The names of one type in a restore's target vault, live and soft-deleted, read once from two listings (25 names
/// per request) so that a large restore plans each entry without reading its name one by one (two requests per
/// entry). What a name is in the listings is what the one-by-one read would say: live → exists, listed as deleted →
/// soft-deleted, neither → free. A name that changes afterwards is caught by the restore's own answer (409) and
/// planned again one by one.
/// </summary>
internal sealed class TargetNames
{
    private readonly HashSet<string> _live;
    private readonly HashSet<string> _deleted;

    private TargetNames(HashSet<string> live, HashSet<string> deleted)
    {
        _live = live;
        _deleted = deleted;
    }

    /// <summary>What the name was when the vault was listed.</summary>
    public KvNameState StateOf(string name)
        => _live.Contains(name) ? KvNameState.Exists : _deleted.Contains(name) ? KvNameState.SoftDeleted : KvNameState.Free;

    /// <summary>
    /// Lists the live, then the deleted objects of a type. Null when it cannot, or when the
    /// vault holds more than <paramref name="maxNames"/> of them (reading them would cost more than planning
    /// one by one): the caller plans one by one.
    /// </summary>
    public static async Task<TargetNames?> ReadAsync(IVaultClient client, KvObjectType type, VaultCalls calls, int maxNames, CancellationToken cancellationToken)
    {
        try
        {
            // One after the other: the worker that reads them holds one of the session's slots, as any call does.
            var live = await calls.ListNamesAsync(client.ListAsync(type, cancellationToken), maxNames, cancellationToken).ConfigureAwait(false);
            var deleted = live is null ? null : await ReadDeletedAsync(client, type, calls, maxNames, cancellationToken).ConfigureAwait(false);
            return live is not null && deleted is not null ? new TargetNames(live, deleted) : null;
        }
        catch (KvException e) when (e.Kind != KvErrorKind.Cancelled && !cancellationToken.IsCancellationRequested)
        {
            // No list permission, or the listing failed: each entry reads its own name (and meets the cause there).
            return null;
        }
    }

    private static async Task<HashSet<string>?> ReadDeletedAsync(IVaultClient client, KvObjectType type, VaultCalls calls, int maxNames, CancellationToken cancellationToken)
    {
        try
        {
            return await calls.ListNamesAsync(client.ListDeletedAsync(type, cancellationToken), maxNames, cancellationToken).ConfigureAwait(false);
        }
        catch (KvException e) when (e.Kind == KvErrorKind.InvalidArgument)
        {
            // A vault without soft delete has no deleted objects to list.
            return new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        }
    }
}
