using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace LocalVaultBench;

/// <summary>Formats the results as a console table and as bench/LOCALVAULT-RESULTS.md.</summary>
public static class ResultsWriter
{
    public const double TargetRequestsPerSecond = 3000;

    public static string Table(IEnumerable<Measurement> results)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| operation | clients | requests | errors | req/s | p50 ms | p99 ms | vs 3,000 req/s |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (var m in results)
        {
            var verdict = m.RequestsPerSecond >= TargetRequestsPerSecond ? "meets" : "below";
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {m.Name} | {m.Concurrency} | {m.Requests:N0} | {m.Errors:N0} | {m.RequestsPerSecond:N0} | {m.P50Ms:F2} | {m.P99Ms:F2} | {verdict} ({m.RequestsPerSecond / TargetRequestsPerSecond:P0}) |");
        }

        return sb.ToString();
    }

    public static string Markdown(IReadOnlyList<Measurement> results, BenchOptions options, string serverBuild, string loadBefore)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# LocalVault throughput");
        sb.AppendLine();
        sb.AppendLine("Written by `bench/LocalVaultBench` (`dotnet run --project bench/LocalVaultBench -c Release`). LocalVault runs as its own");
        sb.AppendLine("process with throttling off; the load comes from the same machine, so client and server share the cores.");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Each operation runs for {options.Duration.TotalSeconds:F0} s from {options.Concurrency} concurrent HTTPS clients (one connection each,");
        sb.AppendLine("TLS handshakes done before timing), each request with a bearer token checked by the server.");
        sb.AppendLine("Rows marked `(--data-dir)` ran against a LocalVault keeping its state in a data directory: each write is answered");
        sb.AppendLine("only after its journal frame is flushed to disk (fsync), concurrent writers sharing one flush (group commit).");
        sb.AppendLine("PUT secret sets 500 names per client (versions pile up); POST restore restores backups into fresh vaults.");
        sb.AppendLine();
        sb.AppendLine("## Machine");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- date (UTC): {DateTime.UtcNow:yyyy-MM-dd HH:mm}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- OS: {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- CPU: {CpuModel()}, {Environment.ProcessorCount} logical cores visible");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- runtime: {RuntimeInformation.FrameworkDescription}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- LocalVault build: {serverBuild}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- load average before the run (other work on the machine): {loadBefore}");
        sb.AppendLine();
        sb.AppendLine("## Results");
        sb.AppendLine();
        sb.Append(Table(results));
        sb.AppendLine();
        sb.AppendLine("Target: 3,000 requests/s per operation on 2 cores with throttling off (LOCALVAULT.md: several thousand a second,");
        sb.AppendLine("never the bottleneck).");
        foreach (var m in results.Where(m => m.FirstError is not null))
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- {m.Name}: first error: {m.FirstError}");
        }

        return sb.ToString();
    }

    /// <summary>/proc/loadavg's first three numbers, or "unknown".</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line.Split(':', 2)[1].Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (UnauthorizedAccessException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }
}
