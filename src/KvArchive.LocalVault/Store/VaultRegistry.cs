using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace KvArchive.LocalVault.Store;

/// <summary>The vaults of this process, found by name or by the Host header <c>{name}.vault.localhost</c>.</summary>
public sealed partial class VaultRegistry
{
    public const string HostSuffix = ".vault.localhost";

    private readonly ConcurrentDictionary<string, Vault> _vaults = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Vault>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public VaultRegistry()
    {
        _bySpan = _vaults.GetAlternateLookup<ReadOnlySpan<char>>();
    }

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

        return _bySpan.TryGetValue(host[..^HostSuffix.Length], out var vault) ? vault : null;
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
    public void Add(Vault vault) => _vaults[vault.Name] = vault;

    public Vault? Remove(string name)
    {
        if (_vaults.TryRemove(name, out var vault))
        {
            vault.Removed = true;
            return vault;
        }

        return null;
    }

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$")]
    private static partial Regex NamePattern();
}
