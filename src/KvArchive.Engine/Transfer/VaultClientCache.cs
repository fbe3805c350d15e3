using KvArchive.Engine.Connection;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// One client per vault for the whole session, created on the driving thread the first time a vault is
/// named. Disposes the clients it created; never a client it was given.
/// </summary>
internal sealed class VaultClientCache : IDisposable
{
    private readonly Dictionary<Uri, IVaultClient> _clients = [];
    private readonly List<IDisposable> _owned = [];
    private readonly Func<Uri, IRequestObserver, IVaultClient>? _factory;
    private readonly IRequestObserver _observer;

    public VaultClientCache(Func<Uri, IRequestObserver, IVaultClient> factory, IRequestObserver observer)
    {
        _factory = factory;
        _observer = observer;
    }

    public VaultClientCache(IVaultClient client, IRequestObserver observer)
    {
        _observer = observer;
        _clients[VaultAddress.Normalize(client.VaultUri)] = client;
        Single = client;
    }

    /// <summary>The one client given, when the session was started with one.</summary>
    public IVaultClient? Single { get; }

    /// <summary>The client of a vault; throws <see cref="KvException"/> when it cannot be had.</summary>
    public IVaultClient Get(Uri vaultUri)
    {
        var key = VaultAddress.Normalize(vaultUri);
        if (_clients.TryGetValue(key, out var client))
        {
            return client;
        }

        if (_factory is null)
        {
            throw new KvException(
                KvErrorKind.InvalidArgument,
                KvErrorIds.InvalidVault,
                $"This operation works on vault {Single!.VaultUri} only, but the object is in {key}. Run it once per vault.");
        }

        client = _factory(key, _observer);
        _clients[key] = client;
        if (client is IDisposable disposable)
        {
            _owned.Add(disposable);
        }

        return client;
    }

    public void Dispose()
    {
        foreach (var client in _owned)
        {
            client.Dispose();
        }

        _owned.Clear();
        _clients.Clear();
    }
}
