using System.Collections.Concurrent;

namespace KvArchive.Engine.Vault;

/// <summary>
/// Deletes, purges and recoveries this client started and has not yet seen finish. Key Vault runs them
/// asynchronously: for a while the object is visible nowhere (or still listed as deleted during a purge) and writes
/// to the name answer 409. Reads cannot tell that state from a free name; this memory can, for transitions started
/// by this client.
/// </summary>
internal sealed class PendingRemovals : IPendingTransitions
{
    private static readonly TimeSpan Horizon = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<(KvObjectType, string), (PendingTransition Transition, DateTimeOffset At)> _started = new();

    public void Started(KvObjectType type, string name, PendingTransition transition)
        => _started[(type, name.ToLowerInvariant())] = (transition, DateTimeOffset.UtcNow);

    public void Finished(KvObjectType type, string name) => _started.TryRemove((type, name.ToLowerInvariant()), out _);

    /// <summary>The unconfirmed transition of a name, or null.</summary>
    public PendingTransition? Pending(KvObjectType type, string name)
        => _started.TryGetValue((type, name.ToLowerInvariant()), out var entry) && DateTimeOffset.UtcNow - entry.At < Horizon ? entry.Transition : null;
}
