using System.Globalization;

namespace KvArchive.Bench;

/// <summary>What one phase measured.</summary>
public sealed record PhaseResult
{
    public required string Phase { get; init; }
    public required int Size { get; init; }
    /// <summary>Objects actually handled (a serial sample may be smaller than the size).</summary>
    public required int Objects { get; init; }
    public required int Failed { get; init; }
    public required double Seconds { get; init; }
    public required long PeakMemoryBytes { get; init; }

    /// <summary>The largest managed heap seen (sampled every 50 ms): what the process holds, without the runtime's own.</summary>
    public long PeakManagedBytes { get; init; }

    /// <summary>Methods the JIT compiled (tiered compilation compiles hot ones again: a long run holds more code).</summary>
    public long JitMethods { get; init; }
    public long Requests { get; init; }
    public long Throttled { get; init; }

    /// <summary>Accepted requests per second once the first 10-second window has passed (null for short phases).</summary>
    public double? SteadyAcceptedPerSecond { get; init; }

    public double ObjectsPerSecond => Objects / Seconds;
    public double AcceptedRequestsPerSecond => (Requests - Throttled) / Seconds;
    public double ShareOfCeiling => AcceptedRequestsPerSecond / BenchOptions.CeilingPerSecond;
    public double PeakMemoryMb => PeakMemoryBytes / 1024.0 / 1024.0;
    public double PeakManagedMb => PeakManagedBytes / 1024.0 / 1024.0;

    public string ToConsoleLine() => string.Create(CultureInfo.InvariantCulture,
        $"   {Phase,-8} {Objects,6} objects in {Seconds,7:F1} s = {ObjectsPerSecond,7:F1}/s; {AcceptedRequestsPerSecond,6:F0} req/s ({ShareOfCeiling:P0} of ceiling{(SteadyAcceptedPerSecond is { } steady ? $", {steady:F0}/s after 10 s" : "")}); 429s {Throttled}; failed {Failed}; peak {PeakMemoryMb:F0} MB (managed heap {PeakManagedMb:F0} MB, {JitMethods:N0} methods jitted)");
}
