namespace KvArchive.LocalVault.Faults;

/// <summary>A vault's injected faults: latency on every call and rules tried in order.</summary>
public sealed class FaultPlan(int latencyMs, int jitterMs, IReadOnlyList<FaultRule> rules)
{
    public int LatencyMs { get; } = latencyMs;

    public int JitterMs { get; } = jitterMs;

    public IReadOnlyList<FaultRule> Rules { get; } = rules;

    /// <summary>The first rule that matches and still has uses (consuming one), or null.</summary>
    public FaultRule? Take(string method, string path)
    {
        foreach (var rule in Rules)
        {
            if (rule.Matches(method, path) && rule.TryConsume())
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>The latency of one call: fixed plus uniform jitter.</summary>
    public int NextLatencyMs() => LatencyMs + (JitterMs > 0 ? Random.Shared.Next(0, JitterMs + 1) : 0);
}
