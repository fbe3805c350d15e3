using KvArchive.Engine.Hosting;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// Progress of a backup or restore, written at most every <see cref="Interval"/>: counts, the rate, the
/// time left, and the request-rate limit while throttling holds it down. The driving thread only.
/// </summary>
internal sealed class TransferProgress
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly string _activity;
    private readonly int? _expected;
    private readonly AdaptiveRateLimiter _limiter;
    private readonly TimeProvider _time;
    private readonly long _started;
    private long _lastWritten = long.MinValue;

    public TransferProgress(string activity, int? expected, AdaptiveRateLimiter limiter, TimeProvider time)
    {
        _activity = activity;
        _expected = expected;
        _limiter = limiter;
        _time = time;
        _started = time.GetTimestamp();
    }

    /// <summary>Writes progress unless it was written less than <see cref="Interval"/> ago.</summary>
    public void Tick(IHostContext host, int added, int finished, int failed, bool inputComplete)
    {
        var now = _time.GetTimestamp();
        if (_lastWritten != long.MinValue && _time.GetElapsedTime(_lastWritten, now) < Interval)
        {
            return;
        }

        _lastWritten = now;
        host.WriteProgress(Build(added, finished, failed, inputComplete, now));
    }

    /// <summary>Ends the activity.</summary>
    public void Complete(IHostContext host, int finished, int failed)
        => host.WriteProgress(new KvProgress(_activity, $"{finished} objects done, {failed} failed", 100, 0, Completed: true));

    internal KvProgress Build(int added, int finished, int failed, bool inputComplete, long now)
    {
        int? total = inputComplete ? added : _expected is { } e ? Math.Max(e, added) : null;
        var seconds = _time.GetElapsedTime(_started, now).TotalSeconds;
        var rate = seconds > 0.5 ? finished / seconds : 0;
        var status = total is { } t ? $"{finished} of {t} objects" : $"{finished} of {added}+ objects";
        if (rate > 0)
        {
            status += $", {rate:0.#}/s";
        }

        if (failed > 0)
        {
            status += $", {failed} failed";
        }

        if (_limiter.CurrentRate is { } limit)
        {
            status += $", throttled: limited to {limit:0} requests/s";
        }

        var percent = total is { } p && p > 0 ? Math.Clamp(finished * 100 / p, 0, 100) : -1;
        var left = total is { } r && rate > 0 ? (int)Math.Ceiling((r - finished) / rate) : -1;
        return new KvProgress(_activity, status, percent, left);
    }
}
