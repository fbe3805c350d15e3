using KvArchive.Engine.Transfer;

namespace KvArchive.Engine.Tests.Transfer;

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
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MinimumRate = 1, MaximumRate = 1 });
        limiter.OnResponse(429, TimeSpan.Zero);
        Assert.Equal(1, limiter.CurrentRate);
        await limiter.WaitAsync(CancellationToken.None);
        await limiter.WaitAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await limiter.WaitAsync(cts.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1));
    }
}
