using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace KvArchive.Bench;

/// <summary>Turns the measured phases into the markdown committed as bench/RESULTS.md.</summary>
public static class Report
{
    /// <summary>The lead's wall-time goal for 10,000 objects: about one request per object plus list pages at the ceiling.</summary>
    private const double TargetSecondsAt10k = 29;

    public static string Build(BenchOptions o, IReadOnlyList<PhaseResult> rows)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("# KvArchive benchmark: whole-vault backup and restore against the throttle ceiling");
        sb.AppendLine();
        sb.AppendLine(c, $"- Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        sb.AppendLine(c, $"- Machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024 * 1024)} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; LocalVault, the benchmark and the PowerShell engine share the cores");
        sb.AppendLine(c, $"- LocalVault with the service's budgets (4,000 operations / 10 s per vault, sliding window, 429 without Retry-After), latency {o.LatencyMs} ms ± {o.JitterMs} ms per request");
        sb.AppendLine(c, $"- Ceiling: {BenchOptions.CeilingPerSecond} accepted requests/s per vault. KvArchive: -ThrottleLimit {o.ThrottleLimit}. Serial loop: the SDK clients, one object at a time, measured on the first {o.SerialSample} objects");
        sb.AppendLine("- Mix per size: 85% secrets, 10% keys, 5% certificates (each certificate also owns a managed key and secret, which the certificate's backup carries); one version each");
        sb.AppendLine("- Each phase runs in a process of its own (peak memory is the phase's own, PowerShell engine and module load included); the restore goes into an empty vault");
        sb.AppendLine("- Command: `dotnet run --project bench/KvArchive.Bench -c Release`" + (o.Quick ? " -- --quick (CI smoke sizes)" : string.Empty));
        sb.AppendLine();
        sb.AppendLine("| objects | phase | handled | wall s | objects/s | requests/object | accepted req/s | share of ceiling | req/s after the first 10 s | 429s | failed | peak MB | managed heap MB |");
        sb.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var main = rows.Where(r => !r.Phase.EndsWith("-untiered", StringComparison.Ordinal)).ToList();
        foreach (var r in main)
        {
            var steady = r.SteadyAcceptedPerSecond is { } s ? s.ToString("F0", c) : "—";
            sb.AppendLine(c, $"| {r.Size:N0} | {Label(r.Phase)} | {r.Objects:N0} | {r.Seconds:F1} | {r.ObjectsPerSecond:F1} | {RequestsPerObject(r):F2} | {r.AcceptedRequestsPerSecond:F0} | {r.ShareOfCeiling:P0} | {steady} | {r.Throttled} | {r.Failed} | {r.PeakMemoryMb:F0} | {r.PeakManagedMb:F0} |");
        }

        sb.AppendLine();
        sb.AppendLine("Requests/object counts every accepted request (list pages and the authentication challenge included). The share of the ceiling is accepted requests over the whole wall time; sizes that fit in one window's budget (4,000 requests) exceed 100% because the first window lets them through at once.");
        sb.AppendLine();
        sb.AppendLine("## Against the targets");
        sb.AppendLine();
        var sizes = main.Select(r => r.Size).Distinct().OrderBy(s => s).ToArray();
        var missed = new List<string>();
        foreach (var size in sizes)
        {
            var serial = Find(main, size, "serial");
            var backup = Find(main, size, "backup");
            var restore = Find(main, size, "restore");
            if (backup is null || restore is null || serial is null)
            {
                continue;
            }

            var speedup = backup.ObjectsPerSecond / serial.ObjectsPerSecond;
            sb.AppendLine(c, $"- {size:N0} objects: backup at {backup.ShareOfCeiling:P0} of the ceiling (target ≥ 90%) {Verdict(backup.ShareOfCeiling >= 0.90)}, {backup.Failed} failed (target 0) {Verdict(backup.Failed == 0)}, {speedup:F1}× the serial loop (target ≥ 8×) {Verdict(speedup >= 8)}; restore at {restore.ShareOfCeiling:P0} (target ≥ 85%) {Verdict(restore.ShareOfCeiling >= 0.85)}, {restore.Failed} failed; peak memory {backup.PeakMemoryMb:F0} MB backup / {restore.PeakMemoryMb:F0} MB restore (target < 300) {Verdict(Math.Max(backup.PeakMemoryMb, restore.PeakMemoryMb) < 300)}");
            if (speedup < 8)
            {
                missed.Add(FitsInFirstWindow(backup) ? FixedCostWhy(size, backup, "backup") : SpeedupWhy(size, backup, serial, speedup));
            }

            if (size >= 10_000)
            {
                var target = TargetSecondsAt10k * size / 10_000;
                sb.AppendLine(c, $"- {size:N0} objects listed and backed up in {backup.Seconds:F1} s (target ≤ {target:F0} s) {Verdict(backup.Seconds <= target)}");
                if (backup.Seconds > target)
                {
                    missed.Add(WallTimeWhy(size, backup, target));
                }
            }

            foreach (var (phase, share, target) in new[] { (backup, backup.ShareOfCeiling, 0.90), (restore, restore.ShareOfCeiling, 0.85) })
            {
                if (share < target)
                {
                    missed.Add(FitsInFirstWindow(phase)
                        ? FixedCostWhy(size, phase, phase.Phase)
                        : string.Create(c, $"{Label(phase.Phase)} at {size:N0} objects: {share:P0} of the ceiling over the whole run ({phase.SteadyAcceptedPerSecond?.ToString("F0", c) ?? "?"} requests/s after the first window). The first window's 4,000 requests go at once and nothing more is accepted until they leave the 10-second window; starting PowerShell and loading the module take about a second more."));
                }
            }
        }

        if (sizes.Length >= 2)
        {
            var (small, large) = (sizes[0], sizes[^1]);
            sb.AppendLine();
            sb.AppendLine(c, $"## Growth from {small:N0} to {large:N0} objects ({(double)large / small:F0}× the objects)");
            sb.AppendLine();
            if (main.Where(r => r.Size == small && r.Phase != "serial").Any(FitsInFirstWindow))
            {
                sb.AppendLine(c, $"Time cannot grow linearly from {small:N0} objects: a run that fits in the first window's 4,000 requests is not throttled at all, while a larger one runs at the ceiling once they are spent.");
                sb.AppendLine();
            }

            foreach (var phase in new[] { "backup", "restore" })
            {
                var a = main.Single(r => r.Size == small && r.Phase == phase);
                var b = main.Single(r => r.Size == large && r.Phase == phase);
                var memoryGrowth = (b.PeakMemoryMb / a.PeakMemoryMb) - 1;
                sb.AppendLine(c, $"- {Label(phase)}: time ×{b.Seconds / a.Seconds:F1} (linear would be ×{(double)large / small:F0}), peak memory {a.PeakMemoryMb:F0} → {b.PeakMemoryMb:F0} MB ({memoryGrowth:+0%;-0%}; target ≤ +10%) {Verdict(memoryGrowth <= 0.10)}; managed heap {a.PeakManagedMb:F0} → {b.PeakManagedMb:F0} MB; methods jitted {a.JitMethods:N0} → {b.JitMethods:N0}");
                if (memoryGrowth > 0.10)
                {
                    missed.Add(MemoryWhy(phase, a, b, memoryGrowth, rows.SingleOrDefault(r => r.Size == small && r.Phase == phase + "-untiered"), rows.SingleOrDefault(r => r.Size == large && r.Phase == phase + "-untiered")));
                }
            }

            var untiered = rows.Where(r => r.Phase.EndsWith("-untiered", StringComparison.Ordinal)).ToList();
            if (untiered.Count > 0)
            {
                sb.AppendLine();
                sb.AppendLine("The same backups and restores with tiered compilation off (`DOTNET_TieredCompilation=0`: each method compiled once), to separate what the run keeps from the code a longer run compiles again:");
                sb.AppendLine();
                foreach (var phase in new[] { "backup", "restore" })
                {
                    var a = untiered.SingleOrDefault(r => r.Size == small && r.Phase == phase + "-untiered");
                    var b = untiered.SingleOrDefault(r => r.Size == large && r.Phase == phase + "-untiered");
                    if (a is not null && b is not null)
                    {
                        sb.AppendLine(c, $"- {Label(phase)}: peak memory {a.PeakMemoryMb:F0} → {b.PeakMemoryMb:F0} MB ({(b.PeakMemoryMb / a.PeakMemoryMb) - 1:+0%;-0%}), managed heap {a.PeakManagedMb:F0} → {b.PeakManagedMb:F0} MB, {b.Failed} failed (times not comparable: these runs follow the others within the same vaults' windows)");
                    }
                }
            }
        }

        if (missed.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("## Why the missed targets are missed");
            sb.AppendLine();
            foreach (var why in missed.Distinct())
            {
                sb.AppendLine("- " + why);
            }
        }

        return sb.ToString();
    }

    private static PhaseResult? Find(IEnumerable<PhaseResult> rows, int size, string phase) => rows.SingleOrDefault(r => r.Size == size && r.Phase == phase);

    private static double RequestsPerObject(PhaseResult r) => r.Objects == 0 ? 0 : (double)(r.Requests - r.Throttled) / r.Objects;

    private static bool FitsInFirstWindow(PhaseResult r) => r.Requests - r.Throttled <= 4000;

    private static string FixedCostWhy(int size, PhaseResult r, string phase)
        => string.Create(CultureInfo.InvariantCulture, $"{Label(phase)} at {size:N0} objects needs only {r.Requests - r.Throttled:N0} requests, which the first window's budget lets through at once: the ceiling does not limit it, and its {r.Seconds:F1} s are mostly fixed costs (starting the PowerShell engine, loading the module, the first connections: about a second).");

    private static string SpeedupWhy(int size, PhaseResult backup, PhaseResult serial, double speedup)
    {
        var perObject = RequestsPerObject(backup);
        var cap = BenchOptions.CeilingPerSecond / perObject;
        return string.Create(CultureInfo.InvariantCulture, $"Backup at {size:N0} objects is {speedup:F1}× the serial loop, not 8× ({8 - speedup:F1}× short): it makes {perObject:F2} requests per object where the serial loop makes {RequestsPerObject(serial):F2}. Each object needs its version list (the manifest records every version's id and updated time, and a vault listing names no version ids) besides its backup. At the ceiling that caps a backup at {BenchOptions.CeilingPerSecond:F0} ÷ {perObject:F2} ≈ {cap:F0} objects/s, {cap / serial.ObjectsPerSecond:F1}× the serial loop's {serial.ObjectsPerSecond:F1} objects/s, once the first window's 4,000 requests are spent; only sizes that fit in that window go faster. Whether an object changed meanwhile is checked from a re-listing of the vault (25 objects a request), not a second version list per object.");
    }

    private static string WallTimeWhy(int size, PhaseResult backup, double target)
    {
        var accepted = backup.Requests - backup.Throttled;
        var floor = 10 + ((accepted - 4000) / BenchOptions.CeilingPerSecond);
        return string.Create(CultureInfo.InvariantCulture, $"{size:N0} objects took {backup.Seconds:F1} s, {backup.Seconds - target:F1} s over the {target:F0} s goal, which assumed about one request per object: the backup needed {accepted:N0} accepted requests ({RequestsPerObject(backup):F2} per object, see above). With 4,000 in the first window and {BenchOptions.CeilingPerSecond:F0}/s after it, {accepted:N0} requests cannot take less than about {floor:F0} s.");
    }

    private static string MemoryWhy(string phase, PhaseResult a, PhaseResult b, double growth, PhaseResult? untieredA, PhaseResult? untieredB)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(c, $"{Label(phase)}: peak memory grew {growth:P0} ({a.PeakMemoryMb:F0} → {b.PeakMemoryMb:F0} MB), {(growth - 0.10) * 100:F0} points over the target. The managed heap's peak grew {b.PeakManagedMb - a.PeakManagedMb:F0} MB ({a.PeakManagedMb:F0} → {b.PeakManagedMb:F0} MB)");
        text.Append(phase == "backup"
            ? ": System.IO.Compression keeps a record of every ZIP entry until the archive is closed (its central directory is written last), two entries per object, about 0.9 KB an object; the manifest's rows are not kept (they go to a temporary file)."
            : ": the archive's rows are read from the file as they are needed, not held.");
        text.Append(c, $" The rest is the runtime's, not the objects': a {b.Seconds:F0}-second run lasts long enough for tiered compilation to compile its hot methods again ({a.JitMethods:N0} → {b.JitMethods:N0} methods jitted), and its garbage collector keeps more memory committed.");
        if (untieredA is not null && untieredB is not null)
        {
            text.Append(c, $" With tiered compilation off the same phase grows {(untieredB.PeakMemoryMb / untieredA.PeakMemoryMb) - 1:P0} ({untieredA.PeakMemoryMb:F0} → {untieredB.PeakMemoryMb:F0} MB).");
        }

        return text.ToString();
    }

    private static string Label(string phase) => phase switch
    {
        "serial" => "serial SDK loop",
        "backup" => "Get-KvObject \\| Backup-KvObject",
        "restore" => "Get-KvArchiveItem \\| Restore-KvObject",
        _ => phase,
    };

    private static string Verdict(bool met) => met ? "— met" : "— **missed**";
}
