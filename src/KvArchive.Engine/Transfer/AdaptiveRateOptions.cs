namespace KvArchive.Engine.Transfer;

/// <summary>
/// Tuning of <see cref="AdaptiveRateLimiter"/>. The defaults suit Key Vault: 4,000 requests per vault in any 10 s,
/// of which KvArchive takes at most <see cref="DefaultBudgetShare"/> (docs/RATE-CONTROL.md).
/// </summary>
public sealed class AdaptiveRateOptions
{
    /// <summary>
    /// The share of the vault's budget a transfer takes when the user names none: a fifth is left to the
    /// applications that read the vault's secrets meanwhile (800 requests per 10 s on Key Vault).
    /// </summary>
    public const double DefaultBudgetShare = 0.5;

    /// <summary>The width of the service's budget window (Key Vault: 10 s, sliding).</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The requests the service accepts per vault in one window (Key Vault documents 4,000).</summary>
    public int WindowBudget { get; init; } = 4000;

    /// <summary>
    /// The most of <see cref="WindowBudget"/> the transfer uses in any window, above 0 and at most 1. Below 1 the
    /// transfer is paced from its first request (it never opens with a burst); at 1 the first window's budget may go
    /// at once, as fast as concurrency allows.
    /// </summary>
    public double MaxBudgetShare { get; init; } = DefaultBudgetShare;

    /// <summary>A cap in requests per second besides the share (null: none). Set, the transfer is paced from the start.</summary>
    public double? MaxRequestRate { get; init; }

    /// <summary>The rate never drops below this (requests per second), however many 429s.</summary>
    public double MinimumRate { get; init; } = 2;

    /// <summary>The fastest the first window is sent when nothing caps it (requests per second).</summary>
    public double MaximumRate { get; init; } = 5000;

    /// <summary>
    /// A 429 sets the allowance (requests in the window) to this share of what the client holds of the window, so that
    /// the window drains a little before it sends again.
    /// </summary>
    public double DecreaseFactor { get; init; } = 0.9;

    /// <summary>
    /// Sets how fast the allowance grows after a 429: from 70% of the cap back to it in this time, along a cubic curve
    /// (fast, flat near where the 429 came, then faster beyond).
    /// </summary>
    public TimeSpan RecoveryTime { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>429s closer together than this count as one (besides those to requests sent before the last decrease).</summary>
    public TimeSpan DecreaseInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest Retry-After honoured; a longer one is cut to this.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The settings backup and restore use against Key Vault when the user names no share or rate.</summary>
    public static AdaptiveRateOptions KeyVault { get; } = new();

    /// <summary>Key Vault's settings with the user's share and request-rate caps (null: the default share, no rate cap).</summary>
    public static AdaptiveRateOptions ForKeyVault(double? maxBudgetShare, double? maxRequestRate)
        => new() { MaxBudgetShare = maxBudgetShare ?? DefaultBudgetShare, MaxRequestRate = maxRequestRate };
}
