using KvArchive.Engine.Hosting;

namespace KvArchive.Engine.Tests.Hosting;

[Trait("Category", "Unit")]
public sealed class HostPumpTests
{
    [Fact]
    public async Task Every_host_call_runs_on_the_driving_thread_in_posted_order()
    {
        using var host = new RecordingHost();
        var pump = new HostPump(host);
        var driver = Environment.CurrentManagedThreadId;
        const int workers = 8;
        const int each = 200;
        var answers = new List<Task<bool>>();
        var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                var n = i;
                pump.Post(h => h.WriteVerbose($"{w}:{n}"));
                if (i % 50 == 0)
                {
                    Assert.True(await pump.ShouldProcessAsync($"t{w}:{n}", "act", CancellationToken.None));
                }
            }
        })).ToArray();

        pump.RunUntil(() => tasks.All(t => t.IsCompleted), TimeSpan.FromMilliseconds(50), null, CancellationToken.None);
        pump.Drain();
        await Task.WhenAll(tasks);

        Assert.Equal([driver], host.Threads);
        var verbose = host.Calls.Where(c => c.Kind == "verbose").Select(c => (string)c.Value!).ToList();
        Assert.Equal(workers * each, verbose.Count);
        for (var w = 0; w < workers; w++)
        {
            var mine = verbose.Where(v => v.StartsWith($"{w}:", StringComparison.Ordinal)).Select(v => int.Parse(v[(v.IndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(Enumerable.Range(0, each), mine);
        }

        Assert.Equal(workers * (each / 50), host.ShouldProcessCalls.Count);
    }

    [Fact]
    public async Task A_pending_ShouldProcess_is_cancelled_when_the_run_stops()
    {
        using var host = new RecordingHost();
        var pump = new HostPump(host);
        using var cts = new CancellationTokenSource();
        var pending = pump.ShouldProcessAsync("t", "a", cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        pump.Drain();
        Assert.Empty(host.ShouldProcessCalls);
    }

    [Fact]
    public void A_host_call_that_throws_comes_out_on_the_driving_thread()
    {
        using var host = new RecordingHost { Answer = (_, _) => throw new InvalidOperationException("stop") };
        var pump = new HostPump(host);
        var answer = pump.ShouldProcessAsync("t", "a", CancellationToken.None);
        var e = Assert.Throws<InvalidOperationException>(() => pump.Drain());
        Assert.Equal("stop", e.Message);
        Assert.True(answer.IsFaulted);
        Assert.IsType<InvalidOperationException>(answer.Exception!.InnerException);
    }

    [Fact]
    public void RunUntil_stops_when_cancelled()
    {
        using var host = new RecordingHost();
        var pump = new HostPump(host);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => pump.RunUntil(() => false, TimeSpan.FromSeconds(10), null, cts.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3));
    }
}
