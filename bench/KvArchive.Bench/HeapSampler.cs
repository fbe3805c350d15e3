namespace KvArchive.Bench;

/// <summary>Samples the managed heap's size while a phase runs and keeps the largest.</summary>
public sealed class HeapSampler : IDisposable
{
    private readonly Timer _timer;
    private long _peak;

    public HeapSampler()
    {
        _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(50));
    }

    /// <summary>The largest heap size seen, in bytes.</summary>
    public long Peak
    {
        get
        {
            Sample();
            return Interlocked.Read(ref _peak);
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Sample()
    {
        var size = GC.GetTotalMemory(forceFullCollection: false);
        long seen;
        while ((seen = Interlocked.Read(ref _peak)) < size && Interlocked.CompareExchange(ref _peak, size, seen) != seen)
        {
        }
    }
}
