using System.Collections.Concurrent;

namespace KvArchive.Engine.Vault;

/// <summary>
/// Names whose delete this client started and whose soft-deleted entry it has not yet seen. Key Vault deletes
/// asynchronously: for a while the live object is gone, the deleted entry not yet visible, and writes to the name
/// answer 409. Reads cannot tell that state from a free name; this memory can, for deletes made by this client.
/// </summary>
internal sealed class PendingRemovals
{
    private static readonly TimeSpan Horizon = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<(KvObjectType, string), DateTimeOffset> _started = new();

    public void Started(KvObjectType type, string name) => _started[(type, name.ToLowerInvariant())] = DateTimeOffset.UtcNow;

    public void Finished(KvObjectType type, string name) => _started.TryRemove((type, name.ToLowerInvariant()), out _);

    public bool IsPending(KvObjectType type, string name)
        => _started.TryGetValue((type, name.ToLowerInvariant()), out var at) && DateTimeOffset.UtcNow - at < Horizon;
}
