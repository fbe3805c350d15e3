using System.Collections.Concurrent;

namespace KvArchive.LocalVault.Auth;

/// <summary>User-assigned managed identities (by client id) and their permissions.</summary>
public sealed class IdentityRegistry
{
    /// <summary>The client id reported for the system-assigned identity.</summary>
    public const string SystemAssignedClientId = "5f1a0c3e-0000-4000-8000-10ca1a0a17a0";

    private readonly ConcurrentDictionary<string, PermissionSet> _identities = new(StringComparer.OrdinalIgnoreCase);

    public void Define(string clientId, PermissionSet permissions) => _identities[clientId] = permissions;

    public bool Remove(string clientId) => _identities.TryRemove(clientId, out _);

    public PermissionSet? Find(string clientId) => _identities.GetValueOrDefault(clientId);

    public IEnumerable<KeyValuePair<string, PermissionSet>> All => _identities.OrderBy(p => p.Key, StringComparer.Ordinal);
}
