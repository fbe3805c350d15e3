namespace LocalVaultBench;

/// <summary>The result of one timed run.</summary>
public sealed record Measurement(string Name, int Concurrency, TimeSpan Elapsed, long Requests, long Errors, double P50Ms, double P99Ms, string? FirstError)
{
    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;
}
