using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// Where a session's vault clients come from: the command's <see cref="VaultClients"/> (borrowed: the command
/// disposes them), one client of the caller's (<see cref="Borrow"/>), or a factory (the session makes and owns
/// them, with its rate limiter as their observer from the first request).
/// </summary>
public sealed class SessionClients
{
    private SessionClients(Func<AdaptiveRateLimiter, VaultClients> make, bool owned)
    {
        Make = make;
        Owned = owned;
    }

    /// <summary>Gives the clients once the session's rate limiter exists.</summary>
    internal Func<AdaptiveRateLimiter, VaultClients> Make { get; }

    /// <summary>Whether the session disposes them.</summary>
    internal bool Owned { get; }

    /// <summary>The session's rate (the given one, or a new one for Key Vault's 10-s windows) and its clients.</summary>
    internal (AdaptiveRateLimiter Limiter, VaultClients Clients) Open(AdaptiveRateLimiter? given)
    {
        var limiter = given ?? new AdaptiveRateLimiter(AdaptiveRateOptions.KeyVault, TimeProvider.System);
        return (limiter, Make(limiter));
    }

    /// <summary>A command's clients, lent to the session. Give the session's rate limiter as their observer.</summary>
    public static implicit operator SessionClients(VaultClients clients)
    {
        ArgumentNullException.ThrowIfNull(clients);
        return new(_ => clients, owned: false);
    }

    /// <summary>Clients the session makes, once per vault, with its rate limiter as the observer, and disposes.</summary>
    public static implicit operator SessionClients(Func<Uri, IRequestObserver, IVaultClient> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new(limiter => new VaultClients(uri => factory(uri, limiter)), owned: true);
    }

    /// <summary>One client the caller made and disposes; the session works on its vault only.</summary>
    public static SessionClients Borrow(IVaultClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new(_ => VaultClients.Borrowing(client), owned: false);
    }
}
