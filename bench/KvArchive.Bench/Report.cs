using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace KvArchive.Bench;

/// <summary>Turns the measured phases into the markdown committed as bench/RESULTS.md.</summary>
public static class Report
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static string Build(BenchOptions o, IReadOnlyList<PhaseResult> rows, TimeSpan total)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# KvArchive benchmark: the conditions users meet");
        sb.AppendLine();
        sb.AppendLine(C, $"- Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; whole run {total.TotalMinutes:F1} min");
        sb.AppendLine(C, $"- Machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024 * 1024)} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; load average at the end {LoadAverage()} — LocalVault, the benchmark, the PowerShell engine and other work on the machine share the cores");
        sb.AppendLine(C, $"- LocalVault with the service's budgets (4,000 requests / 10 s per vault, sliding window, 429 without Retry-After), latency {o.LatencyMs} ms ± {o.JitterMs} ms per request. Ceiling: {BenchOptions.CeilingPerSecond} accepted requests/s per vault");
        sb.AppendLine(C, $"- KvArchive: `Get-KvObject | Backup-KvObject` and `Get-KvArchiveItem | Restore-KvObject`, -ThrottleLimit {o.ThrottleLimit}, each phase in a process of its own (peak memory is the phase's own, PowerShell engine and module load included). Serial loop: the SDK clients, one object at a time, on the first {o.SerialSample} objects");
        sb.AppendLine("- Mix: 85% secrets, 10% keys, 5% certificates (each certificate also owns a managed key and secret, which its backup carries); one version each");
        sb.AppendLine(C, $"- (b): an application reads secrets at {o.CompetitorShare * BenchOptions.CeilingPerSecond:F0} requests/s ({o.CompetitorShare:P1} of the budget) the whole time, on a fixed schedule, never retrying; the *free* budget is the ceiling less what it was accepted. (c): once the backup has made 4,500 requests (past its first window), another caller sends as fast as 64 connections allow for 2 s. (d): 1% of requests dropped and 0.5% answered 503 (LocalVault's counted fault rules, re-armed every 250 ms from the requests served), and one secret whose backup is always answered 500");
        sb.AppendLine("- Command: `dotnet run --project bench/KvArchive.Bench -c Release`" + (o.Quick ? " -- --quick" : string.Empty));
        sb.AppendLine();
        sb.AppendLine("| condition | phase | objects | failed | wall s | start-up s | objects/s | requests/object | accepted req/s | share of what was possible | its 429s | application req/s | application 429s | peak MB |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            var app = r.CompetitorAccepted + r.CompetitorThrottled > 0;
            sb.AppendLine(C, $"| {r.Label} | {Phase(r)} | {r.Objects:N0} | {r.Failed}{(r.Aborted is null ? "" : " (stopped)")} | {r.Seconds:F1} | {r.StartupSeconds:F1} | {r.ObjectsPerSecond:F1} | {RequestsPerObject(r):F2} | {r.AcceptedRequestsPerSecond:F0} | {Possible(r):P0}{(app ? " of free" : "")} | {r.Throttled} | {(app ? (r.CompetitorAccepted / r.ProcessSeconds).ToString("F0", C) : "—")} | {(app ? r.CompetitorThrottled.ToString(C) : "—")} | {r.PeakMemoryMb:F0} |");
        }

        sb.AppendLine();
        sb.AppendLine("Requests/object counts every accepted request of the phase (list pages and the authentication challenge included), not the application's. Wall s is the command's time, from invoking the pipeline to its end (what a user waits for in a session); start-up s is what came before it in the same process, opening a runspace and importing the module (once per session, paid again by each runbook job), and is in no other figure. The share of what was possible is accepted requests over the command's wall time against the ceiling, or in (b) against the free budget (the application's rate counted over the whole process); a run whose requests fit in one window's budget can exceed 100% (the first window lets 4,000 through at once).");
        foreach (var r in rows.Where(r => r.FailedReasons is not null || r.Aborted is not null || r.Dropped + r.Unavailable > 0))
        {
            sb.AppendLine();
            sb.AppendLine(C, $"- {r.Label} {r.Phase}: {r.Dropped} connections dropped, {r.Unavailable} 503s served{(r.FailedReasons is { } f ? $"; failed: {f}" : "")}{(r.Aborted is { } a ? $"; **the run stopped**: {a}" : "")}");
        }

        sb.AppendLine();
        sb.AppendLine("## Against the targets");
        sb.AppendLine();
        foreach (var line in Targets(rows))
        {
            sb.AppendLine("- " + line);
        }

        return sb.ToString();
    }

    private static IEnumerable<string> Targets(IReadOnlyList<PhaseResult> rows)
    {
        PhaseResult? Find(string label, string phase) => rows.FirstOrDefault(r => r.Label == label && r.Phase == phase);
        var serial = Find("a clean", "serial");
        var backup = Find("a clean", "backup");
        var restore = Find("a clean", "restore");
        if (backup is not null)
        {
            var speedup = serial is null ? double.NaN : backup.ObjectsPerSecond / serial.ObjectsPerSecond;
            yield return string.Create(C, $"(a) {backup.Objects:N0} objects backed up in {backup.Seconds:F1} s (target ≤ 30 s) {Verdict(backup.Seconds <= 30)}, {RequestsPerObject(backup):F2} requests/object (target ≤ 1.1) {Verdict(RequestsPerObject(backup) <= 1.1)}, {backup.ShareOfCeiling:P0} of the ceiling (target ≥ 90%) {Verdict(backup.ShareOfCeiling >= 0.9)}, {speedup:F1}× the serial loop (target ≥ 8×) {Verdict(speedup >= 8)}");
        }

        if (restore is not null)
        {
            yield return string.Create(C, $"(a) restore at {restore.ShareOfCeiling:P0} of the ceiling (target ≥ 90%) {Verdict(restore.ShareOfCeiling >= 0.9)}, {restore.Failed} failed");
        }

        if (Find("a clean, default share", "backup") is { } d)
        {
            yield return string.Create(C, $"(a) with the default share (0.5, paced from the first request): {d.Seconds:F1} s, {d.ShareOfCeiling:P0} of the ceiling — the headroom left to applications, by design");
        }

        var polite = Find("b shared", "serial");
        if (Find("b shared, default share", "backup") is { } b)
        {
            yield return string.Create(C, $"(b) default share: {Possible(b):P0} of the free budget (target ≥ 85%) {Verdict(Possible(b) >= 0.85)}; the application saw {b.CompetitorThrottled} 429s of {b.CompetitorAccepted + b.CompetitorThrottled} requests ({Ratio(b):P2}), beside {polite?.CompetitorThrottled.ToString(C) ?? "?"} while the serial loop (a polite caller) ran (target: no more than a polite caller) {Verdict(polite is not null && b.CompetitorThrottled <= polite.CompetitorThrottled)}");
        }

        if (Find("b shared, -MaxBudgetShare 0.5", "backup") is { } h)
        {
            yield return string.Create(C, $"(b) -MaxBudgetShare 0.5: the application saw {h.CompetitorThrottled} 429s (target 0) {Verdict(h.CompetitorThrottled == 0)}; the backup took {Possible(h):P0} of the free budget ({h.AcceptedRequestsPerSecond:F0} req/s, its cap 198)");
        }

        if (Find("b shared, -MaxBudgetShare 1", "backup") is { } w)
        {
            yield return string.Create(C, $"(b) -MaxBudgetShare 1 (its first window at once): {Possible(w):P0} of the free budget, the application saw {w.CompetitorThrottled} 429s ({Ratio(w):P2})");
        }

        if (Find("c burst", "backup") is { } c)
        {
            yield return c.RecoverySeconds is { } s
                ? string.Create(C, $"(c) back at ≥ 90% of the ceiling {s:F1} s after the burst ended (target ≤ 15 s) {Verdict(s <= 15)}")
                : "(c) the rate was not back at 90% of the ceiling before the backup ended — **missed** (or the burst came too late to measure)";
        }

        var fb = Find("d faults", "backup");
        var fr = Find("d faults", "restore");
        if (fb is not null)
        {
            yield return string.Create(C, $"(d) backup {(fb.Aborted is null ? "completed" : "**stopped**")}: {fb.Objects:N0} saved, {fb.Failed} failed ({fb.FailedReasons ?? "no reason recorded"}) (target: all but the failing object, which is Failed with the service's reason) {Verdict(fb.Aborted is null && fb.Failed == 1 && fb.FailedReasons?.Contains("b-s0007", StringComparison.Ordinal) == true)}");
        }

        if (fr is not null && fb is not null)
        {
            yield return string.Create(C, $"(d) restore {(fr.Aborted is null ? "completed" : "**stopped**")}: {fr.Objects:N0} restored of {fb.Objects:N0} saved, {fr.Failed} failed {Verdict(fr.Aborted is null && fr.Failed == 0 && fr.Objects == fb.Objects)}");
        }

        if (rows.Count > 0)
        {
            var peak = rows.Max(r => r.PeakMemoryMb);
            yield return string.Create(C, $"Peak memory {peak:F0} MB at most (target < 300 MB) {Verdict(peak < 300)}");
        }
    }

    private static string Phase(PhaseResult r) => r.Phase switch
    {
        "serial" => "serial SDK loop",
        "backup" => "backup" + ShareText(r),
        "restore" => "restore" + ShareText(r),
        _ => r.Phase,
    };

    private static string ShareText(PhaseResult r) => r.Share is { } s ? string.Create(C, $" (-MaxBudgetShare {s:0.##})") : " (default share)";

    private static double Ratio(PhaseResult r) => r.CompetitorAccepted + r.CompetitorThrottled == 0 ? 0 : (double)r.CompetitorThrottled / (r.CompetitorAccepted + r.CompetitorThrottled);

    /// <summary>Against the ceiling, or against what the application left free.</summary>
    private static double Possible(PhaseResult r)
    {
        // The application was counted over the phase's whole process.
        var free = BenchOptions.CeilingPerSecond - (r.CompetitorAccepted / r.ProcessSeconds);
        return r.AcceptedRequestsPerSecond / free;
    }

    private static double RequestsPerObject(PhaseResult r) => r.Objects == 0 ? double.NaN : (double)(r.Requests - r.Throttled - r.Dropped - r.Unavailable) / r.Objects;

    private static string Verdict(bool met) => met ? "— met" : "— **missed**";

    private static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
