using System.Collections.Concurrent;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Auth;

/// <summary>User-assigned managed identities (by client id) and their permissions.</summary>
public sealed class IdentityRegistry
{
    /// <summary>The client id reported for the system-assigned identity.</summary>
    public const string SystemAssignedClientId = "5f1a0c3e-0000-4000-8000-10ca1a0a17a0";

    private readonly ConcurrentDictionary<string, PermissionSet> _identities = new(StringComparer.OrdinalIgnoreCase);

    private long _version;

    /// <summary>Grows at every change (persistence journals the identities when it moved).</summary>
    public long Version => Interlocked.Read(ref _version);

    public void Define(string clientId, PermissionSet permissions)
    {
        _identities[clientId] = permissions;
        Changed();
    }

    public bool Remove(string clientId)
    {
        var removed = _identities.TryRemove(clientId, out _);
        Changed();
        return removed;
    }

    /// <summary>Replaces every identity (loading a data directory).</summary>
    public void Load(IEnumerable<KeyValuePair<string, PermissionSet>> identities)
    {
        _identities.Clear();
        foreach (var (clientId, permissions) in identities)
        {
            _identities[clientId] = permissions;
        }
    }

    public PermissionSet? Find(string clientId) => _identities.GetValueOrDefault(clientId);

    public IEnumerable<KeyValuePair<string, PermissionSet>> All => _identities.OrderBy(p => p.Key, StringComparer.Ordinal);

    private void Changed()
    {
        Interlocked.Increment(ref _version);
        MutationScope.Current?.NoteIdentities();
    }
}
