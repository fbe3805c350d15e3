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

    [Fact]
    public void A_429_halves_what_was_actually_sent_and_a_burst_counts_once()
    {
        var limiter = new AdaptiveRateLimiter(time: _time);
        // 100 requests a second for two seconds.
        for (var i = 0; i < 200; i++)
        {
            limiter.Reserve();
            _time.Advance(TimeSpan.FromMilliseconds(10));
        }

        for (var i = 0; i < 16; i++)
        {
            limiter.OnResponse(429, TimeSpan.FromMilliseconds(5));
        }

        Assert.Equal(16, limiter.ThrottledCount);
        Assert.InRange(limiter.CurrentRate!.Value, 49, 51);

        _time.Advance(TimeSpan.FromMilliseconds(500));
        limiter.OnResponse(429, TimeSpan.Zero);
        Assert.InRange(limiter.CurrentRate!.Value, 49, 51);

        // 1.1 s after the first decrease: one additive step (55), but only 90 requests were sent in the last two
        // seconds (45/s), and the decrease halves what was actually sent.
        _time.Advance(TimeSpan.FromMilliseconds(600));
        limiter.OnResponse(429, TimeSpan.Zero);
        Assert.InRange(limiter.CurrentRate!.Value, 22, 23);
    }

    [Fact]
    public void The_rate_climbs_back_additively_without_429s()
    {
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MaximumRate = 100 }, _time);
        limiter.OnResponse(429, TimeSpan.Zero);
        Assert.Equal(50, limiter.CurrentRate);

        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(50, limiter.CurrentRate);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(55, limiter.CurrentRate);
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(75, limiter.CurrentRate);
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(100, limiter.CurrentRate);
    }

    [Fact]
    public void Requests_are_spaced_at_the_rate_after_a_small_burst()
    {
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MaximumRate = 20 }, _time);
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
            limiter.OnResponse(429, TimeSpan.Zero);
            _time.Advance(TimeSpan.FromMilliseconds(1001));
        }

        Assert.InRange(limiter.CurrentRate!.Value, 3, 4.01);
    }

    [Fact]
    public async Task WaitAsync_waits_and_can_be_cancelled()
    {
        var limiter = new AdaptiveRateLimiter(new AdaptiveRateOptions { MinimumRate = 1, MaximumRate = 2 });
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
