using KvArchive.Engine.Transfer;

namespace KvArchive.Engine.Tests.Transfer;

[Trait("Category", "Unit")]
public sealed class TransferProgressTests
{
    private readonly ManualTime _time = new();
    private readonly TransferProgress _progress;

    public TransferProgressTests()
    {
        _progress = new TransferProgress("Restoring", expected: null, new AdaptiveRateLimiter(time: _time), _time);
    }

    [Fact]
    public void Before_the_total_is_known_there_is_no_percent_or_time_left()
    {
        _time.Advance(TimeSpan.FromSeconds(10));
        var p = _progress.Build(new TransferProgress.Counts(Added: 200, Finished: 50, Failed: 0, Light: 0, Expected: 0), inputComplete: false, _time.GetTimestamp());
        Assert.Equal((-1, -1), (p.PercentComplete, p.SecondsRemaining));
        Assert.Contains("50 of 200+ objects", p.Status, StringComparison.Ordinal);
    }

    [Fact]
    public void Once_the_total_is_known_percent_and_time_left_follow_the_pace()
    {
        _time.Advance(TimeSpan.FromSeconds(10));
        var p = _progress.Build(new TransferProgress.Counts(Added: 200, Finished: 100, Failed: 2, Light: 0, Expected: 400), inputComplete: false, _time.GetTimestamp());
        Assert.Equal(25, p.PercentComplete);
        Assert.Equal(30, p.SecondsRemaining); // 300 left at 10/s
        Assert.Contains("100 of 400 objects", p.Status, StringComparison.Ordinal);
        Assert.Contains("2 failed", p.Status, StringComparison.Ordinal);

        var ended = _progress.Build(new TransferProgress.Counts(Added: 150, Finished: 100, Failed: 0, Light: 0, Expected: 0), inputComplete: true, _time.GetTimestamp());
        Assert.Equal((66, 5), (ended.PercentComplete, ended.SecondsRemaining));
    }

    [Fact]
    public void Skipped_entries_count_as_done_but_not_in_the_pace_of_the_time_left()
    {
        // 10 s: 20 restored and 80 skipped (instant). The pace is 2/s of real work, not 10/s.
        _time.Advance(TimeSpan.FromSeconds(10));
        var p = _progress.Build(new TransferProgress.Counts(Added: 200, Finished: 100, Failed: 0, Light: 80, Expected: 200), inputComplete: false, _time.GetTimestamp());
        Assert.Equal(50, p.PercentComplete);
        Assert.Equal(50, p.SecondsRemaining);
        Assert.Contains("(80 skipped)", p.Status, StringComparison.Ordinal);
        Assert.Contains("2/s", p.Status, StringComparison.Ordinal);

        // Only skips so far: no pace, so no time left is claimed.
        var skipsOnly = _progress.Build(new TransferProgress.Counts(Added: 200, Finished: 80, Failed: 0, Light: 80, Expected: 200), inputComplete: false, _time.GetTimestamp());
        Assert.Equal((40, -1), (skipsOnly.PercentComplete, skipsOnly.SecondsRemaining));
    }
}
