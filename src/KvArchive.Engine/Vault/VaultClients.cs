using KvArchive.Engine.Connection;

namespace KvArchive.Engine.Vault;

/// <summary>
/// The one owner of a command's vault clients: one client per vault, created on the driving thread the first
/// time a vault is named (by the factory the command gives, which attaches the command's request observer from
/// the start), lent to whatever needs it (a transfer session borrows them), disposed once with this object.
/// A client given in from outside (<see cref="Borrowing"/>) is used, never disposed.
/// </summary>
public sealed class VaultClients : IDisposable
{
    private readonly Dictionary<Uri, IVaultClient> _clients = [];
    private readonly List<IVaultClient> _owned = [];
    private readonly Func<Uri, IVaultClient>? _factory;
    private bool _disposed;

    /// <summary>Clients made by <paramref name="factory"/> (called once per vault, with its normalized URI) and owned here.</summary>
    public VaultClients(Func<Uri, IVaultClient> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _factory = factory;
    }

    private VaultClients(IVaultClient client)
    {
        _clients[VaultAddress.Normalize(client.VaultUri)] = client;
        Single = client;
    }

    /// <summary>The one vault of a set made by <see cref="Borrowing"/>; null otherwise.</summary>
    public IVaultClient? Single { get; }

    /// <summary>Called with each client this set creates (e.g. to say which vault was connected).</summary>
    public Action<IVaultClient>? Created { get; init; }

    /// <summary>A set of one client that its caller made and disposes; other vaults are refused.</summary>
    public static VaultClients Borrowing(IVaultClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new VaultClients(client);
    }

    /// <summary>The client of a vault, created on first use.</summary>
    /// <exception cref="KvException">The vault cannot have a client (a bad URI, a credential that lacks a part), or
    /// the set holds one vault and this is another (<see cref="KvErrorIds.InvalidVault"/>).</exception>
    public IVaultClient Get(Uri vaultUri)
    {
        ArgumentNullException.ThrowIfNull(vaultUri);
        ObjectDisposedException.ThrowIf(_disposed, this);
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

        client = _factory(key);
        _clients[key] = client;
        _owned.Add(client);
        Created?.Invoke(client);
        return client;
    }

    /// <summary>Disposes the clients this set created.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var client in _owned)
        {
            client.Dispose();
        }

        _owned.Clear();
        _clients.Clear();
    }
}
