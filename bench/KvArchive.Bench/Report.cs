using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace KvArchive.Bench;

/// <summary>Turns the measured phases into the markdown committed as bench/RESULTS.md.</summary>
public static class Report
{
    public static string Build(BenchOptions o, IReadOnlyList<PhaseResult> rows)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("# KvArchive benchmark: whole-vault backup and restore against the throttle ceiling");
        sb.AppendLine();
        sb.AppendLine(c, $"- Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        sb.AppendLine(c, $"- Machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024 * 1024)} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        sb.AppendLine(c, $"- LocalVault with the service's budgets (4,000 operations / 10 s per vault, 429 without Retry-After), latency {o.LatencyMs} ms ± {o.JitterMs} ms per request");
        sb.AppendLine(c, $"- Ceiling: {BenchOptions.CeilingPerSecond} accepted requests/s per vault. KvArchive: -ThrottleLimit {o.ThrottleLimit}. Serial loop: the SDK clients, one object at a time, measured on the first {o.SerialSample} objects");
        sb.AppendLine("- Mix per size: 85% secrets, 10% keys, 5% certificates (each certificate also owns a managed key and secret, which the certificate's backup carries)");
        sb.AppendLine("- Command: `dotnet run --project bench/KvArchive.Bench -c Release`" + (o.Quick ? " -- --quick (CI smoke sizes)" : string.Empty));
        sb.AppendLine();
        sb.AppendLine("| objects | phase | handled | wall s | objects/s | accepted req/s | share of ceiling | 429s | failed | peak MB |");
        sb.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            sb.AppendLine(c, $"| {r.Size:N0} | {Label(r.Phase)} | {r.Objects:N0} | {r.Seconds:F1} | {r.ObjectsPerSecond:F1} | {r.AcceptedRequestsPerSecond:F0} | {r.ShareOfCeiling:P0} | {r.Throttled} | {r.Failed} | {r.PeakMemoryMb:F0} |");
        }

        sb.AppendLine();
        sb.AppendLine("## Against the targets");
        sb.AppendLine();
        var sizes = rows.Select(r => r.Size).Distinct().OrderBy(s => s).ToArray();
        foreach (var size in sizes)
        {
            var serial = rows.SingleOrDefault(r => r.Size == size && r.Phase == "serial");
            var backup = rows.SingleOrDefault(r => r.Size == size && r.Phase == "backup");
            var restore = rows.SingleOrDefault(r => r.Size == size && r.Phase == "restore");
            if (backup is null || restore is null || serial is null)
            {
                continue;
            }

            var speedup = backup.ObjectsPerSecond / serial.ObjectsPerSecond;
            sb.AppendLine(c, $"- {size:N0} objects: backup at {backup.ShareOfCeiling:P0} of the ceiling (target ≥ 90%) {Verdict(backup.ShareOfCeiling >= 0.90)}, {backup.Failed} failed (target 0) {Verdict(backup.Failed == 0)}, {speedup:F1}× the serial loop (target ≥ 8×) {Verdict(speedup >= 8)}; restore at {restore.ShareOfCeiling:P0} (target ≥ 85%) {Verdict(restore.ShareOfCeiling >= 0.85)}; peak memory {backup.PeakMemoryMb:F0} MB backup / {restore.PeakMemoryMb:F0} MB restore (target < 300) {Verdict(Math.Max(backup.PeakMemoryMb, restore.PeakMemoryMb) < 300)}");
        }

        if (sizes.Length >= 2)
        {
            var (small, large) = (sizes[0], sizes[^1]);
            sb.AppendLine();
            sb.AppendLine(c, $"## Growth from {small:N0} to {large:N0} objects ({(double)large / small:F0}× the objects)");
            sb.AppendLine();
            foreach (var phase in new[] { "backup", "restore" })
            {
                var a = rows.Single(r => r.Size == small && r.Phase == phase);
                var b = rows.Single(r => r.Size == large && r.Phase == phase);
                var memoryGrowth = (b.PeakMemoryMb / a.PeakMemoryMb) - 1;
                sb.AppendLine(c, $"- {Label(phase)}: time ×{b.Seconds / a.Seconds:F1} (linear would be ×{(double)large / small:F0}), peak memory {a.PeakMemoryMb:F0} → {b.PeakMemoryMb:F0} MB ({memoryGrowth:+0%;-0%}; target ≤ +10%) {Verdict(memoryGrowth <= 0.10)}");
            }
        }

        return sb.ToString();
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
