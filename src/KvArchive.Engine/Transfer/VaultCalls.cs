using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// Every vault call of a transfer goes through here: it waits for the rate limiter, and when the client has
/// already spent its own retries on 429s it tries the call again a couple of times after a pause (the rate
/// has been halved meanwhile). Nothing else is retried here: the client retries transient failures itself,
/// and a rejected blob must not be sent again.
/// </summary>
internal sealed class VaultCalls
{
    private readonly AdaptiveRateLimiter _limiter;
    private readonly TimeSpan _throttledPause;

    public VaultCalls(AdaptiveRateLimiter limiter, TimeSpan? throttledPause = null)
    {
        _limiter = limiter;
        _throttledPause = throttledPause ?? TimeSpan.FromSeconds(2);
    }

    public AdaptiveRateLimiter Limiter => _limiter;

    public async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            await _limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await call(cancellationToken).ConfigureAwait(false);
            }
            catch (KvException e) when (e.Kind == KvErrorKind.Throttled && attempt < TransferDefaults.ThrottledRetries && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(_throttledPause * (attempt + 1), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public Task CallAsync(Func<CancellationToken, Task> call, CancellationToken cancellationToken)
        => CallAsync<bool>(async ct => { await call(ct).ConfigureAwait(false); return true; }, cancellationToken);

    /// <summary>
    /// Lists the versions of an object, stopping once there are more than <paramref name="stopAfter"/>; the
    /// limiter is asked once per page-sized batch.
    /// </summary>
    public Task<List<KvObject>> ListVersionsAsync(IVaultClient client, KvObjectType type, string name, int stopAfter, CancellationToken cancellationToken)
        => CallAsync(
            async ct =>
            {
                var versions = new List<KvObject>();
                await foreach (var version in client.ListVersionsAsync(type, name, ct).ConfigureAwait(false))
                {
                    versions.Add(version);
                    if (versions.Count > stopAfter)
                    {
                        break;
                    }

                    if (versions.Count % 25 == 0)
                    {
                        await _limiter.WaitAsync(ct).ConfigureAwait(false);
                    }
                }

                return versions;
            },
            cancellationToken);

    /// <summary>
    /// The names a listing yields (compared ignoring case), asking the limiter once per page-sized batch; null when
    /// there are more than <paramref name="maxNames"/> (the listing stops there).
    /// </summary>
    public Task<HashSet<string>?> ListNamesAsync(IAsyncEnumerable<KvObject> listing, int maxNames, CancellationToken cancellationToken)
        => CallAsync<HashSet<string>?>(
            async ct =>
            {
                var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                var read = 0;
                await foreach (var item in listing.WithCancellation(ct).ConfigureAwait(false))
                {
                    names.Add(item.Name);
                    if (++read > maxNames)
                    {
                        return null;
                    }

                    if (read % 25 == 0)
                    {
                        await _limiter.WaitAsync(ct).ConfigureAwait(false);
                    }
                }

                return names;
            },
            cancellationToken);
}
