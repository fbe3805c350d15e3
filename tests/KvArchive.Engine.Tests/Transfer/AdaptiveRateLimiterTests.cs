using KvArchive.Engine.Transfer;

namespace KvArchive.Engine.Tests.Transfer;

/// <summary>The limiter's rules one at a time, on a fake clock (the whole loop against a budget: Rate/RateControlTests).</summary>
[Trait("Category", "Unit")]
public sealed class AdaptiveRateLimiterTests
{
    private readonly ManualTime _time = new();

    /// <summary>
    /// Books a slot however far ahead, moving the fake clock while the limiter says to ask again (the clock stays before
    /// the slot); returns how far ahead of the clock at the call the slot is.
    /// </summary>
    private TimeSpan Reserve(AdaptiveRateLimiter limiter)
    {
        var waited = TimeSpan.Zero;
        TimeSpan delay;
        while (!limiter.TryReserve(out delay))
        {
            _time.Advance(delay);
            waited += delay;
        }

        return waited + delay;
    }

    private TimeSpan Clock => TimeSpan.FromTicks(_time.GetTimestamp());

    [Fact]
    public void With_the_whole_budget_nothing_is_held_back_until_the_windows_budget_is_spent()
    {
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MaxBudgetShare = 1 }, _time);
        Assert.Equal(3980, limiter.WindowLimit);
        for (var i = 0; i < limiter.WindowLimit; i++)
        {
            Assert.Equal(TimeSpan.Zero, Reserve(limiter));
            limiter.OnResponse(200, TimeSpan.FromMilliseconds(10));
        }

        Assert.Null(limiter.CurrentRate);
        Assert.Equal(0, limiter.ThrottledCount);

        // The next waits for the first to leave the window (10 s and 50 ms of slack for late arrivals).
        Assert.InRange(Reserve(limiter).TotalSeconds, 10, 10.06);
    }

    [Theory]
    [InlineData(0.5, null, 1980, 197.0)]
    [InlineData(0.8, null, 3168, 315.2)]
    [InlineData(1.0, 50.0, 500, 49.75)]
    public void The_share_and_the_rate_cap_set_the_window_limit_and_the_steady_rate(double share, double? rate, int limit, double steady)
    {
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MaxBudgetShare = share, MaxRequestRate = rate }, _time);
        Assert.Equal(limit, limiter.WindowLimit);
        Assert.Equal(steady, limiter.RateCap, 1);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_share_outside_0_to_1_is_refused(double share)
        => Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveRateLimiter(new AdaptiveRateOptions { MaxBudgetShare = share }, _time));

    [Fact]
    public void Requests_are_spaced_at_the_cap_after_a_tenth_of_a_second_saved_up()
    {
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MaxRequestRate = 10 }, _time);
        var delays = Enumerable.Range(0, 6).Select(_ => (Clock + Reserve(limiter)).TotalMilliseconds).ToList();

        // 100 per 10.05 s: one every 100.5 ms, the first two at once (the saved-up tenth of a second).
        Assert.Equal(0, delays[0]);
        Assert.InRange(delays[1], 0, 1);
        Assert.InRange(delays[2], 100, 102);
        Assert.InRange(delays[5], 400, 403);
    }

    /// <summary>Answers <paramref name="perSecond"/> requests a second for <paramref name="seconds"/> seconds.</summary>
    private void Traffic(AdaptiveRateLimiter limiter, int perSecond, int seconds)
    {
        for (var i = 0; i < perSecond * seconds; i++)
        {
            Reserve(limiter);
            limiter.OnResponse(200, TimeSpan.FromMilliseconds(20));
            _time.Advance(TimeSpan.FromSeconds(1.0 / perSecond));
        }
    }

    [Fact]
    public void A_429_sets_the_allowance_just_below_what_the_client_holds_of_the_window_and_it_grows_back()
    {
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MaxBudgetShare = 0.5 }, _time);
        Traffic(limiter, 100, 12);
        Assert.Null(limiter.CurrentRate);

        // 1,000 answers in the last 10 s: the window is full with them, so the rate drops to 90% of 1,000 per window.
        limiter.OnResponse(429, TimeSpan.FromMilliseconds(20));
        Assert.Equal(1, limiter.DecreaseCount);
        Assert.InRange(limiter.CurrentRate!.Value, 89, 90);

        // Back at 1,000 a window within a second, flat there a while, then growing to the cap.
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.InRange(limiter.CurrentRate!.Value, 97, 100);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.InRange(limiter.CurrentRate!.Value, 99, 110);
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Null(limiter.CurrentRate);
    }

    [Fact]
    public void A_burst_of_429s_counts_once()
    {
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MaxBudgetShare = 0.5 }, _time);
        Traffic(limiter, 100, 12);
        limiter.OnResponse(429, TimeSpan.FromMilliseconds(5));
        var afterFirst = limiter.CurrentRate!.Value;

        // Within the decrease interval: the same burst.
        _time.Advance(TimeSpan.FromMilliseconds(50));
        limiter.OnResponse(429, TimeSpan.FromMilliseconds(5));
        Assert.Equal(1, limiter.DecreaseCount);

        // Later, but the request was sent before the decrease: the answer to the old allowance.
        _time.Advance(TimeSpan.FromMilliseconds(500));
        limiter.OnResponse(429, TimeSpan.FromSeconds(1));
        Assert.Equal(1, limiter.DecreaseCount);

        // A request sent after the decrease that is still refused: the window is still full.
        limiter.OnResponse(429, TimeSpan.FromMilliseconds(100));
        Assert.Equal(2, limiter.DecreaseCount);
        Assert.Equal(4, limiter.ThrottledCount);
        Assert.True(limiter.CurrentRate <= afterFirst, $"{limiter.CurrentRate} after {afterFirst}");
    }

    [Fact]
    public void The_rate_never_drops_below_the_minimum()
    {
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MinimumRate = 3, MaxRequestRate = 16 }, _time);
        for (var i = 0; i < 20; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(101));
            limiter.OnResponse(429, TimeSpan.Zero);
            Assert.InRange(limiter.CurrentRate!.Value, 2.98, 3.01);
        }

        Assert.Equal(20, limiter.DecreaseCount);
    }

    [Fact]
    public void Retry_After_holds_requests_booked_before_it_came()
    {
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MaxRequestRate = 10 }, _time);
        Reserve(limiter);
        Reserve(limiter);
        Assert.True(limiter.TryReserve(out var booked) && booked > TimeSpan.Zero);
        limiter.OnRetryAfter(TimeSpan.FromSeconds(3));
        limiter.OnResponse(429, TimeSpan.FromMilliseconds(20));

        // The request booked before is held when its slot comes, and the next slot is after the hold.
        _time.Advance(booked);
        Assert.True(limiter.IsHeld());
        var slot = Clock + Reserve(limiter);
        Assert.InRange(slot.TotalSeconds, 3, 3.2);
        _time.Advance(slot - Clock);
        Assert.False(limiter.IsHeld());
    }

    [Fact]
    public async Task WaitAsync_waits_and_can_be_cancelled()
    {
        // One request per window: the second wait would take ten seconds, so a prompt end can only be the
        // cancellation (the bound is loose on purpose: this is about Ctrl+C, not speed, on a loaded machine).
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MaxRequestRate = 0.1 });
        await limiter.WaitAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await limiter.WaitAsync(cts.Token);
            await limiter.WaitAsync(cts.Token);
        });
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"cancellation took {watch.Elapsed}");
    }
}
