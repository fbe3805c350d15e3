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
    public void Tick(IHostContext host, Counts counts, bool inputComplete)
    {
        var now = _time.GetTimestamp();
        if (_lastWritten != long.MinValue && _time.GetElapsedTime(_lastWritten, now) < Interval)
        {
            return;
        }

        _lastWritten = now;
        host.WriteProgress(Build(counts, inputComplete, now));
    }

    /// <summary>Ends the activity.</summary>
    public void Complete(IHostContext host, int finished, int failed)
        => host.WriteProgress(new KvProgress(_activity, $"{finished} objects done, {failed} failed", 100, 0, Completed: true));

    /// <summary>
    /// Counts and rate; percent and time left once the total is known (the input ended, or the caller said how
    /// many items come). Items that took no work (skipped) count as done but not in the rate: time left is
    /// what the remaining items take at the pace of real work, not of skips that finish in no time.
    /// </summary>
    internal KvProgress Build(Counts counts, bool inputComplete, long now)
    {
        var (added, finished, failed, light, expected) = counts;
        var known = Math.Max(expected, _expected ?? 0);
        int? total = inputComplete ? added : known > 0 ? Math.Max(known, added) : null;
        var seconds = _time.GetElapsedTime(_started, now).TotalSeconds;
        var worked = finished - light;
        var rate = seconds > 0.5 ? worked / seconds : 0;
        var status = total is { } t ? $"{finished} of {t} objects" : $"{finished} of {added}+ objects";
        if (light > 0)
        {
            status += $" ({light} skipped)";
        }

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
        var left = total is { } r && rate > 0 ? (int)Math.Ceiling(Math.Max(0, r - finished) / rate) : -1;
        return new KvProgress(_activity, status, percent, left);
    }

    /// <summary>The runner's counts at one moment.</summary>
    /// <param name="Added">Items queued.</param>
    /// <param name="Finished">Items done (any outcome).</param>
    /// <param name="Failed">Items that wrote an error.</param>
    /// <param name="Light">Items done without real work (skipped).</param>
    /// <param name="Expected">Items the caller said are coming.</param>
    internal readonly record struct Counts(int Added, int Finished, int Failed, int Light, int Expected);
}
