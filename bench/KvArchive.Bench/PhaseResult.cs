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

    /// <summary>The first failed objects with their reasons.</summary>
    public string? FailedReasons { get; init; }

    /// <summary>Set when the command stopped the run with a terminating error.</summary>
    public string? Aborted { get; init; }

    /// <summary>-MaxBudgetShare (null: the module's default).</summary>
    public double? Share { get; init; }

    /// <summary>The condition and variant, for the report (set by the orchestrator).</summary>
    public string Label { get; init; } = "";

    /// <summary>The competing client's accepted requests and 429s during the phase.</summary>
    public long CompetitorAccepted { get; init; }

    public long CompetitorThrottled { get; init; }

    /// <summary>Accepted requests per second, second by second (all callers).</summary>
    public IReadOnlyList<long> AcceptedBySecond { get; init; } = [];

    /// <summary>Seconds after the other caller's burst ended until the rate was back at 90% of the ceiling (null: not measured or never).</summary>
    public double? RecoverySeconds { get; init; }

    /// <summary>Drops and 503s LocalVault answered during the phase.</summary>
    public long Dropped { get; init; }

    public long Unavailable { get; init; }
    /// <summary>The command's wall time: from invoking the pipeline (module imported) to its end.</summary>
    public required double Seconds { get; init; }

    /// <summary>Before it, in the same process: opening a runspace and importing the module (once per session for a user).</summary>
    public double StartupSeconds { get; init; }

    /// <summary>The phase's whole process, from its start to its exit: the span over which the other callers are counted.</summary>
    public double ProcessSeconds { get; init; }
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
    public double AcceptedRequestsPerSecond => (Requests - Throttled - Dropped - Unavailable) / Seconds;
    public double ShareOfCeiling => AcceptedRequestsPerSecond / BenchOptions.CeilingPerSecond;
    public double PeakMemoryMb => PeakMemoryBytes / 1024.0 / 1024.0;
    public double PeakManagedMb => PeakManagedBytes / 1024.0 / 1024.0;

    public string ToConsoleLine() => string.Create(CultureInfo.InvariantCulture,
        $"   {Phase,-8} {Objects,6} objects in {Seconds,7:F1} s (start-up {StartupSeconds:F1} s before) = {ObjectsPerSecond,7:F1}/s; {AcceptedRequestsPerSecond,6:F0} req/s ({ShareOfCeiling:P0} of ceiling{(SteadyAcceptedPerSecond is { } steady ? $", {steady:F0}/s after 10 s" : "")}); 429s {Throttled}; failed {Failed}; peak {PeakMemoryMb:F0} MB (managed heap {PeakManagedMb:F0} MB, {JitMethods:N0} methods jitted)");
}
