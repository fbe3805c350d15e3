using System.Diagnostics;
using KvArchive.Bench;
using KvArchive.TestSupport;

// Usage:
//   dotnet run --project bench/KvArchive.Bench -c Release -- [--scenarios abcd] [--quick] [--clean-size 10000]
//        [--shared-size 2000] [--burst-size 10000] [--faults-size 2000] [--latency-ms 20] [--jitter-ms 5]
//        [--serial-sample 500] [--throttle-limit 32] [--no-results] [--timeline]
// The conditions users meet, in one run: (a) a clean vault, (b) a vault shared with an application using about half
// its budget, (c) another caller's burst in the middle of a backup, (d) dropped connections, 503s and one object whose
// backup always fails. Each KvArchive phase runs in a child process of its own (this program with --phase), so its
// peak memory is its own.
var options = BenchOptions.Parse(args);
if (options.Phase is not null)
{
    return await PhaseRunner.RunAsync(options);
}

Console.WriteLine($"KvArchive benchmark: conditions {options.Scenarios}, latency {options.LatencyMs} ms ± {options.JitterMs} ms, throttle ceiling {BenchOptions.CeilingPerSecond} requests/s per vault");
var rows = new List<PhaseResult>();
var started = Stopwatch.StartNew();
await using var server = await LocalVaultServer.StartAsync();
var callerToken = (await server.CreateTokenAsync("application", lifetimeSeconds: 7200)).Token;
var latency = new { latencyMs = options.LatencyMs, jitterMs = options.JitterMs };

async Task<string> SeededAsync(string name, int size)
{
    await server.CreateVaultAsync(name);
    var mix = Mix.For(size);
    Console.WriteLine($"-- {name}: {size} objects ({mix.Secrets} secrets, {mix.Keys} keys, {mix.Certificates} certificates)");
    await server.SeedAsync(name, new { secrets = mix.Secrets, keys = mix.Keys, certificates = mix.Certificates, versions = 1, prefix = "b" });
    await server.SetFaultsAsync(name, latency);
    return name;
}

async Task<string> EmptyAsync(string name)
{
    await server.CreateVaultAsync(name);
    await server.SetFaultsAsync(name, latency);
    return name;
}

// One phase against one vault, with what the other callers did meanwhile subtracted from the vault's statistics.
async Task<PhaseResult> PhaseAsync(string label, string phase, int size, string source, string target, string archive, double? share, Caller? competitor = null, Func<Timeline, Task<double?>>? during = null)
{
    var vault = phase == "restore" ? target : source;
    await server.ResetStatsAsync(vault);
    var (a0, t0, o0) = competitor is null ? (0L, 0L, 0L) : (competitor.Accepted, competitor.Throttled, competitor.Other);
    var timeline = Timeline.Watch(server, vault);
    var process = Stopwatch.StartNew();
    var child = PhaseRunner.RunChildAsync(options, server, phase, size, source, target, archive, share);
    var duringTask = during?.Invoke(timeline) ?? Task.FromResult<double?>(null);
    var result = await child;
    process.Stop();
    var seconds = await timeline.StopAsync();
    var extra = await duringTask;
    var stats = await server.GetStatsAsync(vault);
    long ByStatus(string s) => stats["byStatus"]?[s]?.GetValue<long>() ?? 0;
    var (ca, ct, co) = competitor is null ? (0L, 0L, 0L) : (competitor.Accepted - a0, competitor.Throttled - t0, competitor.Other - o0);
    result = result with
    {
        Label = label,
        Requests = stats["requests"]!.GetValue<long>() - ca - ct - co,
        Throttled = stats["throttled"]!.GetValue<long>() - ct,
        CompetitorAccepted = ca,
        CompetitorThrottled = ct,
        ProcessSeconds = process.Elapsed.TotalSeconds,
        Dropped = ByStatus("0"),
        Unavailable = ByStatus("503"),
        SteadyAcceptedPerSecond = Timeline.SteadyRate(seconds),
        AcceptedBySecond = seconds.Select(s => s.Accepted).ToList(),
        RecoverySeconds = extra,
    };
    rows.Add(result);
    Console.WriteLine($"   [{label}] " + result.ToConsoleLine().Trim() + (ca + ct > 0 ? $"; competitor {ca} accepted, {ct} 429s, {co} other, over {process.Elapsed.TotalSeconds:F1} s" : "") + (result.Aborted is { } ab ? $"; ABORTED {ab}" : "") + (result.FailedReasons is { } fr ? $"; failed: {fr}" : ""));
    if (options.Timeline)
    {
        Console.WriteLine("     accepted/s: " + string.Join(" ", seconds.Select(x => x.Accepted)));
        Console.WriteLine("     429s/s:     " + string.Join(" ", seconds.Select(x => x.Throttled)));
    }

    return result;
}

string ArchivePath(string name) => Path.Combine(Path.GetTempPath(), $"kvarchive-bench-{name}-{Environment.ProcessId}.kva");
// The application reads secrets it can read: LocalVault's seed disables every 7th (i % 7 == 3), whose GETs answer 403
// (they used the budget but counted as neither accepted nor refused, so the free budget was overstated by 1/7 of the
// application's rate).
var names = Enumerable.Range(0, 240).Where(i => i % 7 != 3).Take(200).Select(i => $"b-s{i:D4}").ToList();

if (options.Scenarios.Contains('a'))
{
    var size = options.CleanSize;
    var source = await SeededAsync("clean", size);
    var archive = ArchivePath("clean");
    await PhaseAsync("a clean", "serial", size, source, "", archive, null);
    await PhaseAsync("a clean", "backup", size, source, "", archive, 1.0);
    await PhaseAsync("a clean", "restore", size, source, await EmptyAsync("cleandst"), archive, 1.0);
    await PhaseAsync("a clean, default share", "backup", size, source, "", ArchivePath("clean2"), null);
    File.Delete(archive);
    File.Delete(ArchivePath("clean2"));
}

if (options.Scenarios.Contains('b'))
{
    var size = options.SharedSize;
    var source = await SeededAsync("shared", size);
    var archive = ArchivePath("shared");
    await using var competitor = new Caller(server, source, callerToken, names);
    competitor.Start(options.CompetitorShare * BenchOptions.CeilingPerSecond);

    // A window's worth of the application's traffic before the backup starts: the vault is busy, as in production.
    await Task.Delay(TimeSpan.FromSeconds(10.5));
    await PhaseAsync("b shared", "serial", size, source, "", archive, null, competitor);
    await PhaseAsync("b shared, default share", "backup", size, source, "", archive, null, competitor);
    await PhaseAsync("b shared, -MaxBudgetShare 0.5", "backup", size, source, "", archive, 0.5, competitor);
    await PhaseAsync("b shared, -MaxBudgetShare 1", "backup", size, source, "", archive, 1.0, competitor);
    await competitor.StopAsync();
    File.Delete(archive);
}

if (options.Scenarios.Contains('c'))
{
    var size = options.BurstSize;
    var source = await SeededAsync("burst", size);
    var archive = ArchivePath("burst");

    // Once the backup is past its first window (4,000 requests) and running steadily, another caller sends as fast
    // as it can for 2 s. At about one request per object the backup makes about 1.1 × size requests: 10,000 objects
    // leave some 14 s after the burst to see the rate come back. A backup that ends before the trigger has no burst.
    async Task<double?> BurstAsync(Timeline timeline)
    {
        var waited = Stopwatch.StartNew();
        while (timeline.LatestRequests < 4_500)
        {
            if (waited.Elapsed > TimeSpan.FromMinutes(2))
            {
                Console.WriteLine("     burst: never triggered (the backup made fewer than 4,500 requests)");
                return null;
            }

            await Task.Delay(100);
        }

        await using var burster = new Caller(server, source, callerToken, names, maxInFlight: 64);
        burster.Start(3000);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await burster.StopAsync();
        var ended = timeline.Elapsed;
        Console.WriteLine($"     burst: {burster.Accepted} accepted, {burster.Throttled} refused, ended at {ended:F1} s");
        return ended;
    }

    var result = await PhaseAsync("c burst", "backup", size, source, "", archive, 1.0, during: BurstAsync);
    if (result.RecoverySeconds is { } end)
    {
        // Second i of the timeline covers [i, i + 1): the first whole second after the burst at >= 90% of the ceiling.
        var first = (int)Math.Ceiling(end);
        var back = Enumerable.Range(first, Math.Max(0, result.AcceptedBySecond.Count - first - 1)).Cast<int?>().FirstOrDefault(s => result.AcceptedBySecond[s!.Value] >= 0.9 * BenchOptions.CeilingPerSecond);
        rows[^1] = result with { RecoverySeconds = back is { } b ? b + 1 - end : null };
        Console.WriteLine($"     back at >= 90% of the ceiling {(back is { } bb ? $"{bb + 1 - end:F1} s after the burst" : "never before the end")}");
    }

    File.Delete(archive);
}

if (options.Scenarios.Contains('d'))
{
    var size = options.FaultsSize;
    var source = await SeededAsync("faults", size);
    var target = await EmptyAsync("faultsdst");
    var archive = ArchivePath("faults");
    var failing = new { method = "POST", pathRegex = "/secrets/b-s0007/backup$", status = 500 };
    var driver = new FaultDriver(server, source, options.LatencyMs, options.JitterMs, 0.01, 0.005, [failing]);
    await PhaseAsync("d faults", "backup", size, source, "", archive, null);
    await driver.DisposeAsync();
    rows[^1] = rows[^1] with { Dropped = driver.Dropped, Unavailable = driver.Unavailable };
    driver = new FaultDriver(server, target, options.LatencyMs, options.JitterMs, 0.01, 0.005, []);
    await PhaseAsync("d faults", "restore", size, source, target, archive, null);
    await driver.DisposeAsync();
    rows[^1] = rows[^1] with { Dropped = driver.Dropped, Unavailable = driver.Unavailable };

    File.Delete(archive);
}

var report = Report.Build(options, rows, started.Elapsed);
Console.WriteLine();
Console.WriteLine(report);
if (!options.NoResults)
{
    var path = Path.Combine(LocalVaultServer.RepoRoot(), "bench", options.Quick ? "RESULTS-quick.md" : "RESULTS.md");
    File.WriteAllText(path, report);
    Console.WriteLine($"Results written to {path}");
}

return 0;
