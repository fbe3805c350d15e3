using System.Diagnostics;
using System.Globalization;
using System.Text;
using KvArchive.Engine.Archive;
using KvArchive.Engine.Transfer;
using KvArchive.Engine.Vault;
using KvArchive.BenchSupport;
using KvArchive.TestSupport;

// Usage: dotnet run --project bench/IncrementalBench -c Release -- [--size 10000] [--changed-percent 1]
//        [--latency-ms 20] [--jitter-ms 5] [--throttle-limit 32] [--no-results]
// A vault of --size objects (85 % secrets, 10 % keys, 5 % certificates) behind LocalVault's latency and budgets is
// backed up in full; 1 % of its objects then change (half a new version, half their tags) and the backup runs again
// with -BaseArchive. Measured: the list chain alone (every kind, page by page), and the incremental run's wall time
// and requests against the targets of issue 14 (≤ 1.2 × the list chain; ≤ list pages + 1.1 × changed objects).
var size = 10_000;
var changedPercent = 1.0;
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
        case "--changed-percent": changedPercent = double.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--latency-ms": latencyMs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--jitter-ms": jitterMs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--throttle-limit": throttle = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--no-results": writeResults = false; break;
        default: throw new ArgumentException($"Unknown argument {args[i]}");
    }
}

var started = DateTimeOffset.UtcNow;
await using var server = await LocalVaultServer.StartAsync();
const string vault = "incbench";
var bench = await BenchVault.CreateAsync(server, vault, size, latencyMs, jitterMs);
var (secrets, keys, certificates, vaultUri) = (bench.Secrets, bench.Keys, bench.Certificates, bench.Uri);
IVaultClient Connect(Uri uri, IRequestObserver? observer) => bench.Connect(uri, observer);

Task<long> RequestsAsync() => bench.RequestsAsync();

(BackupSummary Summary, TimeSpan Wall, long Requests) Backup(string path, string? basePath, bool resume = false, int? stopAfterRecords = null)
{
    server.ResetStatsAsync(vault).GetAwaiter().GetResult();
    var host = new CountingHost { StopAfterRecords = stopAfterRecords };
    var watch = Stopwatch.StartNew();
    using var session = BackupSession.Start(host, new BackupOptions { Path = path, Force = true, ThrottleLimit = throttle, VaultUri = vaultUri, BaseArchivePath = basePath, Resume = resume }, (Func<Uri, IRequestObserver, IVaultClient>)Connect);
    var opened = watch.Elapsed;
    session.AddVault();
    var listedAt = watch.Elapsed;
    var summary = session.Complete();
    watch.Stop();
    Console.WriteLine($"   started (base verified) at {opened.TotalSeconds:0.00} s, listed and queued at {listedAt.TotalSeconds:0.00} s, complete at {watch.Elapsed.TotalSeconds:0.00} s");
    if (host.Errors > 0)
    {
        Console.WriteLine($"   {host.Errors} errors, the first: {host.FirstError}");
    }

    return (summary, watch.Elapsed, RequestsAsync().GetAwaiter().GetResult());
}

// Times are whole seconds: objects are copyable once their last update is over before their backup.
await Task.Delay(3500);
var basePath = Path.Combine(Path.GetTempPath(), $"kvarchive-incbench-base-{Environment.ProcessId}.kva");
var nextPath = Path.Combine(Path.GetTempPath(), $"kvarchive-incbench-next-{Environment.ProcessId}.kva");
Console.WriteLine("Full backup");
var full = Backup(basePath, null);
Console.WriteLine($"   {full.Summary.Saved} saved, {full.Summary.Skipped} skipped, {full.Summary.Failed} failed in {full.Wall.TotalSeconds:0.0} s, {full.Requests} requests");

// 1 % of the objects change: every other one gets a new version, the others new tags (no new version).
using var client = Connect(vaultUri, null);
var live = new List<KvObject>();
foreach (var type in new[] { KvObjectType.Secret, KvObjectType.Key })
{
    await foreach (var item in client.ListAsync(type, default))
    {
        if (!item.Managed)
        {
            live.Add(item);
        }
    }
}

var changed = (int)Math.Round(size * changedPercent / 100);
var step = live.Count / changed;
for (var i = 0; i < changed; i++)
{
    var item = live[i * step];
    if (i % 2 == 0 && item.Type == KvObjectType.Secret)
    {
        await client.SetSecretAsync(item.Name, $"changed-{i}", new KvSecretSetOptions(), default);
    }
    else
    {
        await client.UpdateAsync(item.Type, item.Name, null, new KvPropertyUpdate { Tags = new Dictionary<string, string> { ["changed"] = $"{i}" } }, default);
    }
}

Console.WriteLine($"Changed {changed} objects");
await Task.Delay(3500);

// The list chain alone: every kind, page after page, as the incremental run lists them.
await server.ResetStatsAsync(vault);
var chain = Stopwatch.StartNew();
var listed = 0;
foreach (var type in new[] { KvObjectType.Certificate, KvObjectType.Key, KvObjectType.Secret })
{
    await foreach (var _ in client.ListAsync(type, default))
    {
        listed++;
    }
}

chain.Stop();
var pages = await RequestsAsync();
Console.WriteLine($"List chain: {listed} items, {pages} pages, {chain.Elapsed.TotalSeconds:0.00} s");

Console.WriteLine("Incremental backup");
var next = Backup(nextPath, basePath);
var s = next.Summary;
Console.WriteLine($"   {s.Saved} saved, {s.Copied} copied, {s.Deleted} deleted, {s.Skipped} skipped, {s.Failed} failed in {next.Wall.TotalSeconds:0.00} s, {next.Requests} requests");
var verification = ArchiveReader.Verify(nextPath);
Console.WriteLine($"   archive valid: {verification.IsValid}, {verification.VerifiedCount} blobs verified");

// A backup stopped halfway (at half of its records), its last entry then torn as a killed process leaves it, and
// the same backup with -Resume: what both runs cost together, against one full backup.
Console.WriteLine("Backup interrupted at 50 %");
var resumePath = Path.Combine(Path.GetTempPath(), $"kvarchive-incbench-resume-{Environment.ProcessId}.kva");
var interruptedWatch = Stopwatch.StartNew();
long interruptedRequests;
try
{
    Backup(resumePath, null, stopAfterRecords: (size + certificates * 2) / 2);
    throw new InvalidOperationException("the interrupted backup was not stopped");
}
catch (KvException e) when (e.ErrorId == KvErrorIds.Cancelled)
{
    interruptedRequests = await RequestsAsync();
}

interruptedWatch.Stop();
var leftover = PartialArchive.Find(resumePath).Single();
var savedBeforeKill = PartialArchive.Scan(leftover).Count;
using (var torn = new FileStream(leftover, FileMode.Open, FileAccess.Write))
{
    torn.SetLength(torn.Length - 100);
}

var keptAfterTear = PartialArchive.Scan(leftover).Count;
Console.WriteLine($"   stopped after {interruptedWatch.Elapsed.TotalSeconds:0.0} s: {savedBeforeKill:N0} objects saved, {keptAfterTear:N0} whole after tearing the last entry; {interruptedRequests:N0} requests");
Console.WriteLine("Resumed backup");
var resumed = Backup(resumePath, null, resume: true);
var resumeVerification = ArchiveReader.Verify(resumePath);
Console.WriteLine($"   {resumed.Summary.Saved} saved, {resumed.Summary.Copied} kept in {resumed.Wall.TotalSeconds:0.00} s, {resumed.Requests} requests; archive valid: {resumeVerification.IsValid}, {resumeVerification.VerifiedCount:N0} blobs");
var resumeTotal = interruptedRequests + resumed.Requests;
var resumeRatio = resumeTotal / (double)full.Requests;

var timeRatio = next.Wall.TotalSeconds / chain.Elapsed.TotalSeconds;
var requestLimit = pages + (1.1 * changed);
var report = new StringBuilder();
report.AppendLine("# Incremental backup benchmark (issue 14)");
report.AppendLine();
report.AppendLine($"- Date: {started:yyyy-MM-dd HH:mm} UTC; machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; the cores are shared with other work (load average at the end: {BenchVault.LoadAverage()})");
report.AppendLine($"- LocalVault with the service's budgets, latency {latencyMs} ms ± {jitterMs} ms per request; {size:N0} objects ({secrets:N0} secrets, {keys:N0} keys, {certificates:N0} certificates, one version each); {changed} changed since the base (every other one a new secret version, the rest new tags)");
report.AppendLine($"- The engine's BackupSession, -ThrottleLimit {throttle}, in this process; command: `dotnet run --project bench/IncrementalBench -c Release`");
report.AppendLine();
report.AppendLine("| run | wall s | requests | saved | copied | deleted | skipped | failed |");
report.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
report.AppendLine($"| full backup (the base) | {full.Wall.TotalSeconds:0.0} | {full.Requests:N0} | {full.Summary.Saved:N0} | 0 | 0 | {full.Summary.Skipped:N0} | {full.Summary.Failed} |");
report.AppendLine($"| list chain alone ({listed:N0} items) | {chain.Elapsed.TotalSeconds:0.00} | {pages:N0} | — | — | — | — | — |");
report.AppendLine($"| incremental (-BaseArchive) | {next.Wall.TotalSeconds:0.00} | {next.Requests:N0} | {s.Saved:N0} | {s.Copied:N0} | {s.Deleted} | {s.Skipped:N0} | {s.Failed} |");
report.AppendLine($"| full backup stopped at 50 % (last entry then torn) | {interruptedWatch.Elapsed.TotalSeconds:0.0} | {interruptedRequests:N0} | {savedBeforeKill:N0} | — | — | — | — |");
report.AppendLine($"| the same with -Resume | {resumed.Wall.TotalSeconds:0.00} | {resumed.Requests:N0} | {resumed.Summary.Saved:N0} | {resumed.Summary.Copied:N0} | {resumed.Summary.Deleted} | {resumed.Summary.Skipped:N0} | {resumed.Summary.Failed} |");
report.AppendLine();
report.AppendLine("## Against the targets");
report.AppendLine();
report.AppendLine($"- Time: {next.Wall.TotalSeconds:0.00} s = {timeRatio:0.00} × the list chain alone (target ≤ 1.2) — {(timeRatio <= 1.2 ? "met" : "**missed**")}");
report.AppendLine($"- Requests: {next.Requests:N0} against {pages:N0} list pages + 1.1 × {changed} changed = {requestLimit:0} (target) — {(next.Requests <= requestLimit ? "met" : "**missed**")}");
report.AppendLine($"- Resume after a stop at 50 %: {interruptedRequests:N0} + {resumed.Requests:N0} = {resumeTotal:N0} requests = {resumeRatio:0.000} × one full backup's {full.Requests:N0} (target ≤ 1.1) — {(resumeRatio <= 1.1 ? "met" : "**missed**")}; {keptAfterTear:N0} of the {savedBeforeKill:N0} saved objects kept (the torn one backed up again); resumed archive complete and valid: {resumeVerification.IsValid && resumed.Summary.IsComplete}, {resumeVerification.VerifiedCount:N0} blobs verified");
report.AppendLine($"- Archive complete and valid: {verification.IsValid}, {verification.VerifiedCount:N0} blobs verified, {verification.EntryCount:N0} entries — {(verification.IsValid && s.Failed == 0 ? "met" : "**missed**")}");
Console.WriteLine();
Console.WriteLine(report);
if (writeResults)
{
    var results = Path.Combine(LocalVaultServer.RepoRoot(), "bench", "INCREMENTAL-RESULTS.md");
    File.WriteAllText(results, report.ToString());
    Console.WriteLine($"Written to {results}");
}

File.Delete(basePath);
File.Delete(nextPath);
File.Delete(resumePath);
return 0;
