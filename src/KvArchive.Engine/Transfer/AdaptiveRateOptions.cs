namespace KvArchive.Engine.Transfer;

/// <summary>Tuning of <see cref="AdaptiveRateLimiter"/>; the defaults suit Key Vault's 10-second budgets.</summary>
public sealed class AdaptiveRateOptions
{
    /// <summary>The rate never drops below this (requests per second).</summary>
    public double MinimumRate { get; init; } = 4;

    /// <summary>The rate never rises above this once limited (requests per second).</summary>
    public double MaximumRate { get; init; } = 2000;

    /// <summary>A 429 multiplies the rate by this.</summary>
    public double DecreaseFactor { get; init; } = 0.5;

    /// <summary>429s closer together than this count as one.</summary>
    public TimeSpan DecreaseInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>This long without a 429 lifts the limit altogether (Key Vault's budgets span 10 seconds).</summary>
    public TimeSpan QuietPeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The smallest step added per second without a 429 (requests per second).</summary>
    public double MinimumIncrease { get; init; } = 5;

    /// <summary>
    /// The width of the service's budget window, when its limit is a number of requests in any such window (Key
    /// Vault: 10 seconds). Set, a 429 teaches the limiter the budget, and it then sends evenly at it, never more than
    /// the budget in any window, instead of halving and climbing. Null (the default): additive increase,
    /// multiplicative decrease.
    /// </summary>
    public TimeSpan? BudgetWindow { get; init; }

    /// <summary>The settings backup and restore use against Key Vault: budget mode over its 10-second windows.</summary>
    public static AdaptiveRateOptions KeyVault { get; } = new() { BudgetWindow = TimeSpan.FromSeconds(10) };
}
