using KvArchive.Engine.Transfer;
using Xunit.Abstractions;

namespace KvArchive.Engine.Tests.Transfer.Rate;

/// <summary>
/// The rate control against a simulated sliding-window budget on a fake clock: the conditions users meet (a clean
/// vault, a transient 429, a vault shared with an application, another caller's burst, Retry-After), asserted on what
/// the vault admitted second by second. No wall clock: the figures are exact and repeatable.
/// </summary>
public sealed class RateControlTests(ITestOutputHelper output)
{
    private readonly ManualTime _time = new();

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    private void Show(SimulatedVault vault)
    {
        output.WriteLine("client:     " + vault.Client);
        output.WriteLine("competitor: " + vault.Competitor);
        output.WriteLine("burster:    " + vault.Burster);
    }

    [Fact]
    public void A_clean_vault_with_the_whole_budget_takes_the_first_window_at_once_then_runs_at_the_ceiling_without_a_429()
    {
        var vault = new SimulatedVault(_time);
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MaxBudgetShare = 1 }, _time);
        vault.StartClient(limiter, concurrency: 32);
        vault.RunUntil(S(30));
        Show(vault);

        Assert.Equal(0, vault.Client.Throttled);
        Assert.True(vault.Client.AcceptedPerSecond(0, 4) * 4 >= 3950, "the first window's budget goes at once");
        Assert.InRange(vault.Client.AcceptedPerSecond(12, 30), 390, 400);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(AdaptiveRateOptions.DefaultBudgetShare)]
    public void One_429_early_in_a_run_costs_seconds_not_the_run(double share)
    {
        var vault = new SimulatedVault(_time);
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MaxBudgetShare = share }, _time);
        vault.InjectThrottles(S(0.3), 1);
        vault.StartClient(limiter, concurrency: 32);
        vault.RunUntil(S(30));
        Show(vault);

        Assert.Equal(1, vault.Client.Throttled);
        Assert.Equal(1, limiter.DecreaseCount);
        var cap = limiter.RateCap;

        // Back at the cap within three seconds of the 429, and there for the rest of the run.
        Assert.All(Enumerable.Range(4, 26), s => Assert.True(vault.Client.AcceptedIn(s) >= 0.9 * cap || (share == 1 && s < 13), $"second {s}: {vault.Client.AcceptedIn(s)}"));
        Assert.Null(limiter.CurrentRate);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.8)]
    [InlineData(AdaptiveRateOptions.DefaultBudgetShare)]
    public void A_competing_caller_using_half_the_budget_leaves_the_rest_and_the_transfer_takes_most_of_it(double budgetShare)
    {
        var vault = new SimulatedVault(_time);
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MaxBudgetShare = budgetShare }, _time);
        vault.StartCaller(vault.Competitor, 190, S(0), S(60));
        vault.RunUntil(S(10));
        vault.StartClient(limiter, concurrency: 32);
        vault.RunUntil(S(60));
        Show(vault);

        // 2,100 of 4,000 a window are free: 210 a second.
        var share = vault.Client.AcceptedPerSecond(25, 60) / 210;
        output.WriteLine($"share of the free budget {share:P1}; competitor 429s {vault.Competitor.Throttled} of {vault.Competitor.Accepted + vault.Competitor.Throttled}, after 25 s {vault.Competitor.ThrottledBetween(25, 60)}");
        Assert.True(share >= 0.85, $"{share:P1} of the free budget");
    }

    [Fact]
    public void With_a_share_of_half_a_caller_using_the_other_half_never_sees_a_429()
    {
        var vault = new SimulatedVault(_time);
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MaxBudgetShare = 0.5 }, _time);
        vault.StartCaller(vault.Competitor, 198, S(0), S(40));
        vault.RunUntil(S(10));
        vault.StartClient(limiter, concurrency: 32);
        vault.RunUntil(S(40));
        Show(vault);

        Assert.Equal(0, vault.Competitor.Throttled);
        Assert.True(vault.MostClientArrivalsInAWindow() <= 2000, $"{vault.MostClientArrivalsInAWindow()} in one window");
        Assert.InRange(vault.Client.AcceptedPerSecond(12, 40), 0.95 * 198, 200);
    }

    [Theory]
    [InlineData(0.5, null)]
    [InlineData(0.8, null)]
    [InlineData(1.0, 100.0)]
    public void A_capped_run_opens_paced_not_with_a_burst(double share, double? rate)
    {
        var vault = new SimulatedVault(_time);
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MaxBudgetShare = share, MaxRequestRate = rate }, _time);
        vault.StartClient(limiter, concurrency: 64);
        vault.RunUntil(S(25));
        Show(vault);

        var cap = Math.Min(4000 * share, (rate ?? 1000) * 10) / 10;
        Assert.InRange(limiter.RateCap, 0.97 * cap, cap);

        // The first second holds one second's worth (and the tenth of a second saved up), never a window's.
        Assert.True(vault.Client.AcceptedIn(0) <= 1.1 * cap + 1, $"{vault.Client.AcceptedIn(0)} in the first second");
        Assert.All(Enumerable.Range(0, 25), s => Assert.True(vault.Client.AcceptedIn(s) <= 1.1 * cap + 1, $"second {s}: {vault.Client.AcceptedIn(s)}"));
        Assert.True(vault.MostClientArrivalsInAWindow() <= 4000 * share, $"{vault.MostClientArrivalsInAWindow()} in one window");
        Assert.InRange(vault.Client.AcceptedPerSecond(1, 25), 0.95 * cap, cap);
    }

    [Fact]
    public void After_another_callers_burst_the_rate_is_back_at_the_ceiling_within_seconds()
    {
        var vault = new SimulatedVault(_time);
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MaxBudgetShare = 1 }, _time);
        vault.StartClient(limiter, concurrency: 32);
        vault.StartCaller(vault.Burster, 2000, S(20), S(23));
        vault.RunUntil(S(45));
        Show(vault);

        Assert.True(vault.Client.ThrottledBetween(20, 24) > 0, "the burst throttled the transfer");
        var back = Enumerable.Range(23, 20).First(s => vault.Client.AcceptedIn(s) >= 0.9 * 400);
        output.WriteLine($"back at >= 90% of the ceiling in second {back} (the burst ended at 23)");
        Assert.True(back <= 27, $"back only in second {back}");
        Assert.All(Enumerable.Range(back, 45 - back), s => Assert.True(vault.Client.AcceptedIn(s) >= 0.85 * 400, $"second {s}: {vault.Client.AcceptedIn(s)}"));
    }

    [Fact]
    public void A_run_that_starts_in_a_window_an_earlier_run_used_up_finds_the_budget_as_it_frees()
    {
        var vault = new SimulatedVault(_time);
        vault.StartCaller(vault.Competitor, 400, S(0), S(10));
        vault.RunUntil(S(10));
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MaxBudgetShare = 1 }, _time);
        vault.StartClient(limiter, concurrency: 32);
        vault.RunUntil(S(40));
        Show(vault);

        Assert.True(vault.Client.AcceptedPerSecond(13, 40) >= 0.9 * 400, $"{vault.Client.AcceptedPerSecond(13, 40)}/s");
    }

    [Fact]
    public void Retry_After_holds_every_request_until_it_has_passed()
    {
        var vault = new SimulatedVault(_time) { RetryAfter = S(2) };
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MaxBudgetShare = 0.8 }, _time);
        vault.InjectThrottles(S(5), 1);
        vault.StartClient(limiter, concurrency: 32);
        vault.RunUntil(S(15));
        Show(vault);

        var refused = vault.ClientArrivals.First(a => a >= S(5).Ticks);
        var sentAfter = vault.ClientArrivals.Where(a => a > refused + vault.Latency.Ticks).ToList();

        // Requests already on their way arrive within one round trip; the next goes once the two seconds have passed.
        Assert.True(sentAfter[0] - refused >= S(2).Ticks, $"the next request reached the vault {TimeSpan.FromTicks(sentAfter[0] - refused)} after the 429");
        Assert.True(vault.Client.AcceptedIn(9) >= 0.9 * limiter.RateCap, $"{vault.Client.AcceptedIn(9)} in second 9");
    }
}
