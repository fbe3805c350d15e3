using System.Collections.Concurrent;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Vault.Infrastructure;

/// <summary>Records every status the engine reports.</summary>
public sealed class RecordingObserver : IRequestObserver
{
    private readonly ConcurrentQueue<int> _statuses = new();

    public IReadOnlyList<int> Statuses => _statuses.ToArray();

    public void OnResponse(int status, TimeSpan elapsed)
    {
        Assert.True(elapsed >= TimeSpan.Zero);
        _statuses.Enqueue(status);
    }

    public void Clear() => _statuses.Clear();
}
