using KvArchive.Engine.Transfer;

namespace KvArchive.Engine.Tests.Transfer;

[Trait("Category", "Unit")]
public sealed class AdaptiveRateLimiterTests
{
    private readonly ManualTime _time = new();

    [Fact]
    public void Unlimited_until_the_first_429()
    {
        var limiter = new AdaptiveRateLimiter(time: _time);
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(TimeSpan.Zero, limiter.Reserve());
            limiter.OnResponse(200, TimeSpan.FromMilliseconds(10));
        }

        Assert.Null(limiter.CurrentRate);
        Assert.Equal(0, limiter.ThrottledCount);
    }

    /// <summary>Answers at a steady rate for two seconds, as a busy transfer would see them.</summary>
    private void Traffic(AdaptiveRateLimiter limiter, int perSecond)
    {
        for (var i = 0; i < perSecond * 2; i++)
        {
            limiter.OnResponse(200, TimeSpan.FromMilliseconds(20));
            _time.Advance(TimeSpan.FromSeconds(1.0 / perSecond));
        }
    }

    [Fact]
    public void A_429_halves_what_the_vault_was_answering()
    {
        var limiter = new AdaptiveRateLimiter(time: _time);
        Traffic(limiter, 100);
        for (var i = 0; i < 16; i++)
        {
            limiter.OnResponse(429, TimeSpan.FromMilliseconds(5));
        }

        Assert.Equal(16, limiter.ThrottledCount);
        Assert.InRange(limiter.CurrentRate!.Value, 49, 51);
    }

    [Fact]
    public void A_burst_of_429s_counts_once()
    {
        var limiter = new AdaptiveRateLimiter(time: _time);
        Traffic(limiter, 100);
        limiter.OnResponse(429, TimeSpan.FromMilliseconds(5));
        var afterFirst = limiter.CurrentRate!.Value;

        // Within the decrease interval: the same burst.
        _time.Advance(TimeSpan.FromMilliseconds(500));
        limiter.OnResponse(429, TimeSpan.FromMilliseconds(5));
        Assert.Equal(afterFirst, limiter.CurrentRate);

        // Later, but the request was sent before the decrease: the answer to the old rate.
        _time.Advance(TimeSpan.FromMilliseconds(1000));
        var climbed = limiter.CurrentRate!.Value;
        Assert.True(climbed > afterFirst);
        limiter.OnResponse(429, TimeSpan.FromSeconds(2));
        Assert.Equal(climbed, limiter.CurrentRate);

        // A request sent after the decrease that is still refused: decrease again.
        limiter.OnResponse(429, TimeSpan.FromMilliseconds(100));
        Assert.True(limiter.CurrentRate < climbed * 0.6, $"{limiter.CurrentRate} after {climbed}");
    }

    [Fact]
    public void The_rate_climbs_back_additively_to_where_throttling_began()
    {
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MaximumRate = 1000 }, _time);
        Traffic(limiter, 100);
        limiter.OnResponse(429, TimeSpan.Zero);
        var start = limiter.CurrentRate!.Value;
        Assert.InRange(start, 49, 51);

        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(start, limiter.CurrentRate);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.InRange(limiter.CurrentRate!.Value - start, 9.9, 10.2);
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.InRange(limiter.CurrentRate!.Value - start, 49.5, 51);
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.InRange(limiter.CurrentRate!.Value - start, 89.5, 91);
    }

    [Fact]
    public void A_quiet_budget_window_lifts_the_limit()
    {
        var limiter = new AdaptiveRateLimiter(time: _time);
        Traffic(limiter, 100);
        limiter.OnResponse(429, TimeSpan.Zero);
        _time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.NotNull(limiter.CurrentRate);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Null(limiter.CurrentRate);
        Assert.Equal(TimeSpan.Zero, limiter.Reserve());

        // The next 429 halves what was being answered again.
        Traffic(limiter, 60);
        limiter.OnResponse(429, TimeSpan.Zero);
        Assert.InRange(limiter.CurrentRate!.Value, 29, 31);
        Assert.Equal(2, limiter.DecreaseCount);
    }

    [Fact]
    public void Requests_are_spaced_at_the_rate_after_a_small_burst()
    {
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MaximumRate = 100 }, _time);
        Traffic(limiter, 20);
        limiter.OnResponse(429, TimeSpan.Zero);
        Assert.InRange(limiter.CurrentRate!.Value, 10, 10.3);
        limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MinimumRate = 10, MaximumRate = 10 }, _time);
        limiter.OnResponse(429, TimeSpan.Zero);
        Assert.Equal(10, limiter.CurrentRate);
        _time.Advance(TimeSpan.FromSeconds(0.5));

        var delays = Enumerable.Range(0, 6).Select(_ => limiter.Reserve()).ToList();
        Assert.Equal(TimeSpan.Zero, delays[0]);
        Assert.Equal(TimeSpan.Zero, delays[1]);
        Assert.Equal(TimeSpan.FromMilliseconds(100), delays[2]);
        Assert.Equal(TimeSpan.FromMilliseconds(200), delays[3]);
        Assert.Equal(TimeSpan.FromMilliseconds(300), delays[4]);
        Assert.Equal(TimeSpan.FromMilliseconds(400), delays[5]);
    }

    [Fact]
    public void The_rate_never_drops_below_the_minimum()
    {
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MinimumRate = 3, MaximumRate = 16 }, _time);
        for (var i = 0; i < 20; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1001));
            limiter.OnResponse(429, TimeSpan.Zero);
            Assert.Equal(3, limiter.CurrentRate);
        }

        Assert.Equal(20, limiter.DecreaseCount);
    }

    [Fact]
    public async Task WaitAsync_waits_and_can_be_cancelled()
    {
        // One request per 20 s: the third wait would take many seconds, so a prompt end can only be the
        // cancellation (the bound is loose on purpose: this is about Ctrl+C, not speed, on a loaded machine).
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MinimumRate = 0.05, MaximumRate = 0.05 });
        limiter.OnResponse(429, TimeSpan.Zero);
        Assert.Equal(0.05, limiter.CurrentRate!.Value, 3);
        await limiter.WaitAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await limiter.WaitAsync(cts.Token);
            await limiter.WaitAsync(cts.Token);
        });
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"cancellation took {watch.Elapsed}");
    }

    /// <summary>
    /// Sends <paramref name="count"/> requests as fast as the limiter allows to a vault that admits at most
    /// <paramref name="budget"/> in any 10 seconds (429 otherwise, not counted), answering each at once.
    /// Returns when each admitted request was sent, and how many were refused.
    /// </summary>
    private (List<TimeSpan> Admitted, int Refused) SendToVault(AdaptiveRateLimiter limiter, List<TimeSpan> window, int count, int budget = 4000)
    {
        var admitted = new List<TimeSpan>();
        var refused = 0;
        for (var i = 0; i < count; i++)
        {
            _time.Advance(limiter.Reserve());
            var now = TimeSpan.FromTicks(_time.GetTimestamp());
            window.RemoveAll(t => now - t >= TimeSpan.FromSeconds(10));
            if (window.Count < budget)
            {
                window.Add(now);
                admitted.Add(now);
                limiter.OnResponse(200, TimeSpan.FromMilliseconds(20));
            }
            else
            {
                refused++;
                limiter.OnResponse(429, TimeSpan.FromMilliseconds(20));
            }

            // Requests go out a little apart even in a burst (one connection's worth at a time).
            _time.Advance(TimeSpan.FromMilliseconds(0.5));
        }

        return (admitted, refused);
    }

    [Fact]
    public void Budget_mode_learns_the_budget_from_what_the_last_window_accepted()
    {
        var limiter = new AdaptiveRateLimiter(AdaptiveRateOptions.KeyVault, _time);
        for (var i = 0; i < 3000; i++)
        {
            Assert.Equal(TimeSpan.Zero, limiter.Reserve());
            limiter.OnResponse(200, TimeSpan.FromMilliseconds(20));
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Null(limiter.CurrentRate);
        _time.Advance(TimeSpan.FromSeconds(8));

        // Only what the last 10 seconds accepted counts: 2,000 answers, less a margin of 0.5%, spread over the window
        // and its 50 ms of slack.
        limiter.OnResponse(429, TimeSpan.FromMilliseconds(20));
        Assert.InRange(limiter.CurrentRate!.Value, 197.5, 198.5);
        Assert.Equal(1, limiter.DecreaseCount);
    }

    [Fact]
    public void Budget_mode_holds_a_sliding_window_budget_steadily_with_few_429s()
    {
        var limiter = new AdaptiveRateLimiter(AdaptiveRateOptions.KeyVault, _time);
        var window = new List<TimeSpan>();

        // The first 4,000 go at once; the 4,001st is refused, and that teaches the budget.
        var (burst, refusedInBurst) = SendToVault(limiter, window, 4001);
        Assert.Equal((4000, 1), (burst.Count, refusedInBurst));
        Assert.InRange(limiter.CurrentRate!.Value, 395.5, 396.5);

        // Nothing more goes until the burst's first requests have left the window (10 s, 50 ms late).
        var wait = limiter.Reserve();
        Assert.InRange(wait.TotalSeconds, 7.7, 8.4);

        // Then evenly, about the budget a second, and hardly ever refused.
        var (steady, refused) = SendToVault(limiter, window, 16_000);
        var seconds = (steady[^1] - steady[0]).TotalSeconds;
        Assert.InRange(steady.Count / seconds, 0.95 * 400, 400);
        Assert.True(refused <= 20, $"{refused} refused");
        // When its slow growth beyond the learned budget meets a 429, it pauses briefly while the window drains.
        var gaps = steady.Zip(steady.Skip(1), (a, b) => (b - a).TotalMilliseconds).Skip(4000).ToList();
        Assert.True(gaps.Count(g => g > 100) <= 3 && gaps.Max() < 1000, $"{gaps.Count(g => g > 100)} gaps over 100 ms, the longest {gaps.Max()} ms");
    }

    [Fact]
    public void Budget_mode_climbs_back_after_a_low_estimate()
    {
        var limiter = new AdaptiveRateLimiter(AdaptiveRateOptions.KeyVault, _time);
        var window = new List<TimeSpan>();
        SendToVault(limiter, window, 4001);
        var high = limiter.CurrentRate!.Value;

        // Another client used most of the budget: a 429 with little accepted in the window drops the estimate...
        _time.Advance(TimeSpan.FromSeconds(11));
        SendToVault(limiter, window, 100);
        _time.Advance(TimeSpan.FromSeconds(1));
        limiter.OnResponse(429, TimeSpan.Zero);
        Assert.True(limiter.CurrentRate < high / 10, $"{limiter.CurrentRate} after {high}");

        // ...and a few seconds without 429s bring it back to the highest seen, beyond which it grows slowly.
        _time.Advance(TimeSpan.FromSeconds(8));
        limiter.Reserve();
        Assert.InRange(limiter.CurrentRate!.Value, high * 0.99, high * 1.05);
        _time.Advance(TimeSpan.FromSeconds(10));
        limiter.Reserve();
        Assert.InRange(limiter.CurrentRate!.Value, high * 1.01, high * 1.08);
    }
}
