using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using KvArchive.Bench;
using KvArchive.TestSupport;

// Usage:
//   dotnet run --project bench/KvArchive.Bench -c Release -- [--sizes 1000,5000,10000] [--quick]
//        [--latency-ms 20] [--jitter-ms 5] [--serial-sample 1000] [--throttle-limit 32] [--no-results] [--timeline]
//        [--no-jit-diagnostic]
// Each phase runs in a child process of its own (this program with --phase), so its peak memory is its own.
var options = BenchOptions.Parse(args);
if (options.Phase is not null)
{
    return await PhaseRunner.RunAsync(options);
}

Console.WriteLine($"KvArchive benchmark: sizes {string.Join(", ", options.Sizes)}, latency {options.LatencyMs} ms ± {options.JitterMs} ms, throttle ceiling {BenchOptions.CeilingPerSecond} requests/s per vault");
var rows = new List<PhaseResult>();
foreach (var size in options.Sizes)
{
    await using var server = await LocalVaultServer.StartAsync();
    var source = $"src{size}";
    var target = $"dst{size}";
    await server.CreateVaultAsync(source);
    await server.CreateVaultAsync(target);
    var mix = Mix.For(size);
    Console.WriteLine($"-- {size} objects ({mix.Secrets} secrets, {mix.Keys} keys, {mix.Certificates} certificates): seeding…");
    await server.SeedAsync(source, new { secrets = mix.Secrets, keys = mix.Keys, certificates = mix.Certificates, versions = 1, prefix = "b" });
    var faults = new { latencyMs = options.LatencyMs, jitterMs = options.JitterMs };
    await server.SetFaultsAsync(source, faults);
    await server.SetFaultsAsync(target, faults);

    var archive = Path.Combine(Path.GetTempPath(), $"kvarchive-bench-{size}-{Environment.ProcessId}.kva");
    foreach (var phase in new[] { "serial", "backup", "restore" })
    {
        var vault = phase == "restore" ? target : source;
        await server.ResetStatsAsync(vault);
        var timeline = Timeline.Watch(server, vault);
        var result = await PhaseRunner.RunChildAsync(options, server, phase, size, source, target, archive);
        var seconds = await timeline.StopAsync();
        var stats = await server.GetStatsAsync(vault);
        result = result with
        {
            Requests = stats["requests"]!.GetValue<long>(),
            Throttled = stats["throttled"]!.GetValue<long>(),
            SteadyAcceptedPerSecond = Timeline.SteadyRate(seconds),
        };
        rows.Add(result);
        Console.WriteLine(result.ToConsoleLine());
        if (options.Timeline)
        {
            Console.WriteLine("     accepted/s: " + string.Join(" ", seconds.Select(x => x.Accepted)));
            Console.WriteLine("     429s/s:     " + string.Join(" ", seconds.Select(x => x.Throttled)));
        }
    }

    if (options.JitDiagnostic)
    {
        // The same backup and restore with tiered compilation off: the runtime then compiles each method once, so
        // the growth of peak memory with size is what the run keeps, not the code a long run compiles again.
        var untiered = new Dictionary<string, string> { ["DOTNET_TieredCompilation"] = "0" };
        var fresh = $"dst{size}j";
        await server.CreateVaultAsync(fresh);
        await server.SetFaultsAsync(fresh, faults);
        foreach (var phase in new[] { "backup", "restore" })
        {
            var result = await PhaseRunner.RunChildAsync(options, server, phase, size, source, fresh, archive, untiered);
            rows.Add(result with { Phase = phase + "-untiered" });
            Console.WriteLine(result.ToConsoleLine() + " [tiered compilation off]");
        }
    }

    File.Delete(archive);
}

var report = Report.Build(options, rows);
Console.WriteLine();
Console.WriteLine(report);
if (!options.NoResults)
{
    var path = Path.Combine(LocalVaultServer.RepoRoot(), "bench", options.Quick ? "RESULTS-quick.md" : "RESULTS.md");
    File.WriteAllText(path, report);
    Console.WriteLine($"Results written to {path}");
}

return 0;
