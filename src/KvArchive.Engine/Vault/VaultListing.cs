using System.Runtime.CompilerServices;

namespace KvArchive.Engine.Vault;

/// <summary>Get-KvObject's listing: types × name filter × versions × removed state, streamed as pages arrive.</summary>
public static class VaultListing
{
    /// <summary>
    /// Streams the objects a query selects. A name without wildcards is looked up directly (no full listing) and,
    /// when no queried type has it, ends in a <see cref="KvException"/> NotFound naming it; a wildcard that matches
    /// nothing yields nothing.
    /// </summary>
    /// <exception cref="KvException">Versions of removed objects were asked for (InvalidArgument), the literal name
    /// was not found (NotFound), or a vault call failed.</exception>
    public static IAsyncEnumerable<KvObject> QueryAsync(this IVaultClient client, KvObjectQuery query, CancellationToken cancellationToken)
        => QueryAsync(client, query, null, cancellationToken);

    /// <summary>
    /// Streams the objects a query selects, as <see cref="QueryAsync(IVaultClient, KvObjectQuery, CancellationToken)"/>,
    /// except that a kind the identity may not list or read (<see cref="IsRefusal"/>) is handed to
    /// <paramref name="refused"/> (one call per kind, naming the permission) and the other kinds are still listed. A
    /// literal name found in none of the kinds that could be read is NotFound for those kinds only; when every kind
    /// was refused, the refusals are the answer.
    /// </summary>
    /// <param name="client">The vault.</param>
    /// <param name="query">What to list.</param>
    /// <param name="refused">Called with each refused kind's error, on whatever thread runs the listing; null: a refusal ends the stream.</param>
    /// <param name="cancellationToken">Stops the listing.</param>
    public static async IAsyncEnumerable<KvObject> QueryAsync(this IVaultClient client, KvObjectQuery query, Action<KvException>? refused, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(query);
        if (query.IncludeVersions && query.InRemovedState)
        {
            throw new KvException(KvErrorKind.InvalidArgument, KvErrorIds.InvalidArgument, "Key Vault keeps no version list of removed objects: a query cannot ask for removed objects and for every version.");
        }

        var pattern = new KvNamePattern(query.Name);
        var literal = !string.IsNullOrEmpty(query.Name) && !pattern.HasWildcards;
        var found = false;
        var readable = new List<KvObjectType>();
        foreach (var type in query.Types.Distinct())
        {
            var source = literal ? LiteralAsync(client, type, query, query.Name!, cancellationToken) : PatternAsync(client, type, query, pattern, cancellationToken);
            var kindRefused = false;
            if (refused is not null)
            {
                source = UnlessRefused(source, e =>
                {
                    kindRefused = true;
                    refused(e);
                }, cancellationToken);
            }

            await foreach (var item in source.ConfigureAwait(false))
            {
                if (query.ExcludeManaged && item.Managed)
                {
                    continue;
                }

                found = true;
                yield return item;
            }

            if (!kindRefused)
            {
                readable.Add(type);
            }
        }

        if (literal && !found && readable.Count > 0)
        {
            var what = readable.Count == 1 ? readable[0].Word() : readable.Count == 3 ? "secret, key or certificate" : string.Join(" or ", readable.Select(t => t.Word()));
            var state = query.InRemovedState ? "deleted " : string.Empty;
            throw new KvException(KvErrorKind.NotFound, KvErrorIds.ObjectNotFound, $"No {state}{what} named '{query.Name}' was found in vault '{client.VaultName}'.")
            {
                ObjectType = readable.Count == 1 ? readable[0] : null,
                ObjectName = query.Name,
            };
        }
    }

    /// <summary>
    /// True when the service refused the identity a permission on a whole kind (403 PermissionDenied), as opposed to
    /// a refusal about one object (a disabled secret, a certificate's own key).
    /// </summary>
    public static bool IsRefusal(KvException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Kind == KvErrorKind.PermissionDenied && exception.ErrorId == KvErrorIds.PermissionDenied;
    }

    /// <summary>Ends a kind's stream at a refusal, handing the refusal on.</summary>
    private static async IAsyncEnumerable<KvObject> UnlessRefused(IAsyncEnumerable<KvObject> source, Action<KvException> refused, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var enumerator = source.GetAsyncEnumerator(cancellationToken);
        await using (enumerator.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (KvException e) when (IsRefusal(e))
                {
                    refused(e);
                    break;
                }

                yield return enumerator.Current;
            }
        }
    }

    private static async IAsyncEnumerable<KvObject> LiteralAsync(IVaultClient client, KvObjectType type, KvObjectQuery query, string name, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (query.IncludeVersions)
        {
            await foreach (var version in WithoutNotFound(client.ListVersionsAsync(type, name, cancellationToken), cancellationToken).ConfigureAwait(false))
            {
                yield return version;
            }

            yield break;
        }

        KvObject? item;
        try
        {
            item = query.InRemovedState
                ? await client.GetDeletedAsync(type, name, cancellationToken).ConfigureAwait(false)
                : await client.GetAsync(type, name, null, cancellationToken).ConfigureAwait(false);
        }
        catch (KvException e) when (e.Kind == KvErrorKind.NotFound && e.ErrorId == KvErrorIds.ObjectNotFound)
        {
            item = null;
        }

        if (item is not null)
        {
            yield return item;
        }
    }

    /// <summary>Ends a stream quietly on NotFound (a version list of a name that does not exist).</summary>
    private static async IAsyncEnumerable<KvObject> WithoutNotFound(IAsyncEnumerable<KvObject> source, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var enumerator = source.GetAsyncEnumerator(cancellationToken);
        await using (enumerator.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (KvException e) when (e.Kind == KvErrorKind.NotFound && e.ErrorId == KvErrorIds.ObjectNotFound)
                {
                    break;
                }

                yield return enumerator.Current;
            }
        }
    }

    private static async IAsyncEnumerable<KvObject> PatternAsync(IVaultClient client, KvObjectType type, KvObjectQuery query, KvNamePattern pattern, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var items = query.InRemovedState ? client.ListDeletedAsync(type, cancellationToken) : client.ListAsync(type, cancellationToken);
        await foreach (var item in items.ConfigureAwait(false))
        {
            if (!pattern.IsMatch(item.Name))
            {
                continue;
            }

            if (!query.IncludeVersions)
            {
                yield return item;
                continue;
            }

            await foreach (var version in client.ListVersionsAsync(type, item.Name, cancellationToken).ConfigureAwait(false))
            {
                yield return version;
            }
        }
    }
}
