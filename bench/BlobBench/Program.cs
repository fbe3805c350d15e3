using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Storage.Blobs;
using KvArchive.Engine.Archive;
using KvArchive.Engine.Storage;
using KvArchive.Engine.Transfer;
using KvArchive.Engine.Vault;
using KvArchive.BenchSupport;
using KvArchive.TestSupport;

// Usage: dotnet run --project bench/BlobBench -c Release -- [--size 10000] [--rounds 2] [--latency-ms 20]
//        [--jitter-ms 5] [--throttle-limit 32] [--no-results]
// A vault of --size objects (85 % secrets, 10 % keys, 5 % certificates) behind LocalVault's latency and budgets is
// backed up, in alternating rounds, to a local file and to a blob in Azurite (npm azurite, started here on a free
// port, in memory). Measured: each backup's wall time, the blob/file ratio (target ≤ 1.10), and the process's peak
// working set and managed heap during each backup (target < 300 MB), after one untimed warm-up backup. The results are appended to bench/RESULTS.md.
var size = 10_000;
var rounds = 2;
var latencyMs = 20;
var jitterMs = 5;
var throttle = 32;
var writeResults = true;
for (var i = 0; i < args.Length; i++)
{
    string Next() => args[++i];
    switch (args[i])
    {
        case "--size": size = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--rounds": rounds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--latency-ms": latencyMs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--jitter-ms": jitterMs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--throttle-limit": throttle = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--no-results": writeResults = false; break;
        default: throw new ArgumentException($"Unknown argument {args[i]}");
    }
}

var started = DateTimeOffset.UtcNow;
await using var server = await LocalVaultServer.StartAsync();
await using var azurite = await AzuriteServer.StartAsync();
const string vault = "blobbench";
var bench = await BenchVault.CreateAsync(server, vault, size, latencyMs, jitterMs);
var (secrets, keys, certificates, vaultUri) = (bench.Secrets, bench.Keys, bench.Certificates, bench.Uri);
IVaultClient Connect(Uri uri, IRequestObserver? observer) => bench.Connect(uri, observer);

const string container = "backups";
await new BlobServiceClient(azurite.ConnectionString()).GetBlobContainerClient(container).CreateAsync();
var filePath = Path.Combine(Path.GetTempPath(), $"kvarchive-blobbench-{Environment.ProcessId}.kva");
var blobUrl = $"{azurite.BlobEndpoint}/{container}/bench.kva";

(TimeSpan Wall, BackupSummary Summary, long PeakWorkingSet, long PeakHeap) Backup(string path)
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    using var sampler = new MemorySampler();
    var host = new CountingHost();
    var watch = Stopwatch.StartNew();
    using (var session = BackupSession.Start(host, new BackupOptions { Path = path, Force = true, ThrottleLimit = throttle, VaultUri = vaultUri }, (Func<Uri, IRequestObserver, IVaultClient>)Connect))
    {
        session.AddVault();
        var summary = session.Complete();
        watch.Stop();
        if (host.Errors > 0)
        {
            Console.WriteLine($"   {host.Errors} errors, the first: {host.FirstError}");
        }

        return (watch.Elapsed, summary, sampler.PeakWorkingSet, sampler.PeakHeap);
    }
}

// One untimed backup first: JIT, TLS sessions and LocalVault's caches warm for both targets alike.
Console.WriteLine($"warm-up (file): {Backup(filePath).Wall.TotalSeconds:0.00} s");
var runs = new List<(string Target, int Round, TimeSpan Wall, BackupSummary Summary, long PeakWorkingSet, long PeakHeap)>();
for (var round = 1; round <= rounds; round++)
{
    // Alternating which goes first, so neither always meets a warmer LocalVault.
    foreach (var target in round % 2 == 1 ? new[] { "file", "blob" } : ["blob", "file"])
    {
        var r = Backup(target == "file" ? filePath : blobUrl);
        Console.WriteLine($"round {round} {target}: {r.Summary.Saved} saved, {r.Summary.Failed} failed in {r.Wall.TotalSeconds:0.00} s, peak working set {r.PeakWorkingSet / 1e6:0} MB, heap {r.PeakHeap / 1e6:0} MB");
        runs.Add((target, round, r.Wall, r.Summary, r.PeakWorkingSet, r.PeakHeap));
    }
}

var fileCheck = ArchiveReader.Verify(filePath);
var blobCheck = ArchiveReader.Verify(blobUrl, new ArchiveStorageOptions { ConnectionString = null });
var blobLength = new FileInfo(filePath).Length;
Console.WriteLine($"file archive valid: {fileCheck.IsValid} ({fileCheck.VerifiedCount} blobs); blob archive valid: {blobCheck.IsValid} ({blobCheck.VerifiedCount} blobs)");

double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

var fileSeconds = Median(runs.Where(r => r.Target == "file").Select(r => r.Wall.TotalSeconds));
var blobSeconds = Median(runs.Where(r => r.Target == "blob").Select(r => r.Wall.TotalSeconds));
var ratio = blobSeconds / fileSeconds;
var peakBlob = runs.Where(r => r.Target == "blob").Max(r => r.PeakWorkingSet);
var report = new StringBuilder();
report.AppendLine();
report.AppendLine($"## Backup to Azure Blob Storage (Azurite) against a local file (issue 15), {started:yyyy-MM-dd HH:mm} UTC");
report.AppendLine();
report.AppendLine($"- Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; the cores are shared with other work (load average at the end: {BenchVault.LoadAverage()})");
report.AppendLine($"- LocalVault with the service's budgets, latency {latencyMs} ms ± {jitterMs} ms per request; {size:N0} objects ({secrets:N0} secrets, {keys:N0} keys, {certificates:N0} certificates, one version each); archive {blobLength / 1e6:0.0} MB");
report.AppendLine($"- Azurite {AzuriteVersion()} blob service in memory on loopback (plain http, Shared Key); 4 MiB blocks staged while the backup runs, committed at the end");
report.AppendLine($"- The engine's BackupSession, -ThrottleLimit {throttle}, in this process; {rounds} round(s), alternating which target goes first; command: `dotnet run --project bench/BlobBench -c Release`");
report.AppendLine();
report.AppendLine("| round | target | wall s | saved | failed | peak working set MB | peak managed heap MB |");
report.AppendLine("|---:|---|---:|---:|---:|---:|---:|");
foreach (var r in runs)
{
    report.AppendLine($"| {r.Round} | {r.Target} | {r.Wall.TotalSeconds:0.00} | {r.Summary.Saved:N0} | {r.Summary.Failed} | {r.PeakWorkingSet / 1e6:0} | {r.PeakHeap / 1e6:0} |");
}

report.AppendLine();
report.AppendLine($"- Time: blob {blobSeconds:0.00} s against file {fileSeconds:0.00} s (medians) = {ratio:0.00} × (target ≤ 1.10) — {(ratio <= 1.10 ? "met" : "**missed**")}");
report.AppendLine($"- Memory: peak working set of the process during a blob backup {peakBlob / 1e6:0} MB (target < 300 MB) — {(peakBlob < 300_000_000 ? "met" : "**missed**")}");
report.AppendLine($"- Both archives valid: file {fileCheck.IsValid} ({fileCheck.VerifiedCount:N0} blobs), blob {blobCheck.IsValid} ({blobCheck.VerifiedCount:N0} blobs) — {(fileCheck.IsValid && blobCheck.IsValid ? "met" : "**missed**")}");
Console.WriteLine(report);
if (writeResults)
{
    var results = Path.Combine(LocalVaultServer.RepoRoot(), "bench", "RESULTS.md");
    File.AppendAllText(results, report.ToString());
    Console.WriteLine($"Appended to {results}");
}

File.Delete(filePath);
return ratio <= 1.10 && peakBlob < 300_000_000 && fileCheck.IsValid && blobCheck.IsValid ? 0 : 1;

static string AzuriteVersion()
{
    try
    {
        var package = Path.Combine(Path.GetDirectoryName(AzuriteServer.FindAzurite())!, "..", "..", "..", "package.json");
        var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(package));
        return json.RootElement.GetProperty("version").GetString() ?? "?";
    }
    catch (Exception e) when (e is IOException or System.Text.Json.JsonException or KeyNotFoundException)
    {
        return "?";
    }
}

/// <summary>The largest working set and managed heap seen while it lives (sampled every 50 ms).</summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly Timer _timer;
    private long _workingSet;
    private long _heap;

    public MemorySampler() => _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(50));

    public long PeakWorkingSet
    {
        get
        {
            Sample();
            return Interlocked.Read(ref _workingSet);
        }
    }

    public long PeakHeap
    {
        get
        {
            Sample();
            return Interlocked.Read(ref _heap);
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Sample()
    {
        using var process = Process.GetCurrentProcess();
        Max(ref _workingSet, process.WorkingSet64);
        Max(ref _heap, GC.GetTotalMemory(forceFullCollection: false));
    }

    private static void Max(ref long field, long value)
    {
        long seen;
        while ((seen = Interlocked.Read(ref field)) < value && Interlocked.CompareExchange(ref field, value, seen) != seen)
        {
        }
    }
}
