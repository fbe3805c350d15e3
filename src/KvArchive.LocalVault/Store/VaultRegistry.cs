using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace KvArchive.LocalVault.Store;

/// <summary>The vaults of this process, found by name or by the Host header <c>{name}.vault.localhost</c>.</summary>
public sealed partial class VaultRegistry
{
    public const string HostSuffix = ".vault.localhost";

    private readonly ConcurrentDictionary<string, Vault> _vaults = new(StringComparer.OrdinalIgnoreCase);
    private readonly object _indexGate = new();

    // Every request looks its vault up from the Host header. .NET 8 has no span lookup into a string-keyed dictionary
    // (AlternateLookup is .NET 9+), so an immutable index by case-insensitive span hash is rebuilt on the rare
    // create/remove and read without a lock or an allocation.
    private volatile Dictionary<int, Vault[]> _byHash = new();

    private int _port;

    /// <summary>The HTTPS port (ids and nextLinks carry it); setting it updates every vault's base URI.</summary>
    public int Port
    {
        get => _port;
        set
        {
            _port = value;
            foreach (var vault in _vaults.Values)
            {
                vault.BaseUri = BaseUriFor(vault.Name);
            }
        }
    }

    public IEnumerable<Vault> All => _vaults.Values.OrderBy(v => v.Name, StringComparer.Ordinal);

    /// <summary>1–63 characters of a-z, 0-9 and hyphen, starting with a letter or digit (a DNS label).</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    public string BaseUriFor(string name) => $"https://{name.ToLowerInvariant()}{HostSuffix}:{Port}";

    public Vault? Find(string name) => _vaults.GetValueOrDefault(name);

    /// <summary>The vault a Host header names, without allocating.</summary>
    public Vault? FindByHost(ReadOnlySpan<char> host)
    {
        if (host.Length <= HostSuffix.Length || !host.EndsWith(HostSuffix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var name = host[..^HostSuffix.Length];
        if (!_byHash.TryGetValue(string.GetHashCode(name, StringComparison.OrdinalIgnoreCase), out var candidates))
        {
            return null;
        }

        foreach (var vault in candidates)
        {
            if (name.Equals(vault.Name, StringComparison.OrdinalIgnoreCase))
            {
                return vault;
            }
        }

        return null;
    }

    /// <summary>True once a data directory's journal records changes: new vaults are tracked and journaled whole.</summary>
    public bool TracksChanges { get; set; }

    /// <summary>Creates a vault; null if the name is taken.</summary>
    public Vault? TryCreate(string name, VaultSettings settings)
    {
        var vault = new Vault(name.ToLowerInvariant(), settings, BaseUriFor(name));
        if (TracksChanges)
        {
            vault.EnableChangeTracking();
        }

        if (!_vaults.TryAdd(vault.Name, vault))
        {
            return null;
        }

        RebuildIndex();
        if (TracksChanges)
        {
            lock (vault.Gate)
            {
                vault.MarkFull();
            }
        }

        return vault;
    }

    /// <summary>Adds (or replaces) a vault loaded from disk.</summary>
    public void Add(Vault vault)
    {
        _vaults[vault.Name] = vault;
        RebuildIndex();
    }

    public Vault? Remove(string name)
    {
        if (_vaults.TryRemove(name, out var vault))
        {
            vault.Removed = true;
            RebuildIndex();
            return vault;
        }

        return null;
    }

    private void RebuildIndex()
    {
        // Under a lock so two concurrent rebuilds cannot publish a snapshot that misses the other's change.
        lock (_indexGate)
        {
            _byHash = _vaults.Values
                .GroupBy(v => string.GetHashCode(v.Name.AsSpan(), StringComparison.OrdinalIgnoreCase))
                .ToDictionary(g => g.Key, g => g.ToArray());
        }
    }

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$")]
    private static partial Regex NamePattern();
}
