using System.Diagnostics;
using KvArchive.TestSupport;

namespace KvArchive.Bench;

/// <summary>
/// A phase's requests second by second, read from LocalVault's statistics while the phase runs (management calls
/// are not counted in a vault's statistics). Shows whether the rate holds steady at the ceiling or comes in bursts.
/// </summary>
public sealed class Timeline
{
    private readonly LocalVaultServer _server;
    private readonly string _vault;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(double At, long Requests, long Throttled)> _samples = [];
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private Task? _loop;

    private Timeline(LocalVaultServer server, string vault)
    {
        _server = server;
        _vault = vault;
    }

    /// <summary>Seconds since watching began (the clock of the seconds <see cref="StopAsync"/> returns).</summary>
    public double Elapsed => _watch.Elapsed.TotalSeconds;

    /// <summary>The vault's requests so far (the latest sample).</summary>
    public long LatestRequests
    {
        get
        {
            lock (_samples)
            {
                return _samples.Count > 0 ? _samples[^1].Requests : 0;
            }
        }
    }

    /// <summary>One second of a phase.</summary>
    public sealed record Second(long Accepted, long Throttled);

    public static Timeline Watch(LocalVaultServer server, string vault)
    {
        var timeline = new Timeline(server, vault);
        timeline._loop = timeline.RunAsync();
        return timeline;
    }

    /// <summary>Stops watching; returns the accepted requests and 429s of each whole second.</summary>
    public async Task<IReadOnlyList<Second>> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop!;
        lock (_samples)
        {
            return Seconds();
        }
    }

    private List<Second> Seconds()
    {
        var seconds = new List<Second>();
        for (var i = 1; i < _samples.Count; i++)
        {
            var (a, b) = (_samples[i - 1], _samples[i]);
            var throttled = b.Throttled - a.Throttled;
            seconds.Add(new Second(b.Requests - a.Requests - throttled, throttled));
        }

        return seconds;
    }

    /// <summary>Mean accepted requests per second after the first 10 seconds (the budget's first window), or null.</summary>
    public static double? SteadyRate(IReadOnlyList<Second> seconds)
    {
        // The last second is partial (the phase ended in it).
        var steady = seconds.Skip(10).SkipLast(1).ToList();
        return steady.Count >= 5 ? steady.Average(s => s.Accepted) : null;
    }

    private async Task RunAsync()
    {
        var watch = _watch;
        var next = TimeSpan.Zero;
        while (true)
        {
            try
            {
                var stats = await _server.GetStatsAsync(_vault);
                lock (_samples)
                {
                    _samples.Add((watch.Elapsed.TotalSeconds, stats["requests"]!.GetValue<long>(), stats["throttled"]!.GetValue<long>()));
                }

                next += TimeSpan.FromSeconds(1);
                var wait = next - watch.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
