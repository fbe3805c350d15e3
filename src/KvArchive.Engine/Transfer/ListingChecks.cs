using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>The listing checks of a backup, one per vault and type, started on first use and stopped together.</summary>
internal sealed class ListingChecks(AdaptiveRateLimiter limiter, TimeProvider time, bool disabled) : IDisposable
{
    private readonly Dictionary<(Uri, KvObjectType), ListingCheck> _checks = [];

    /// <summary>The check of a vault and type, or null when the session checks each object by listing its versions again.</summary>
    public ListingCheck? For(IVaultClient client, KvObjectType type, CancellationToken cancellationToken)
    {
        if (disabled)
        {
            return null;
        }

        lock (_checks)
        {
            var key = (client.VaultUri, type);
            if (!_checks.TryGetValue(key, out var check))
            {
                check = new ListingCheck(client, type, limiter, time, cancellationToken);
                _checks[key] = check;
            }

            return check;
        }
    }

    public void Dispose()
    {
        lock (_checks)
        {
            foreach (var check in _checks.Values)
            {
                check.Dispose();
            }

            _checks.Clear();
        }
    }
}
