using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// The one rate control of backup and restore: additive increase, multiplicative decrease (AIMD) of the
/// request rate, driven by the 429s that <see cref="IRequestObserver"/> sees (the SDK retries them inside,
/// often without a Retry-After, so the caller would otherwise never slow down).
/// </summary>
/// <remarks>
/// Until the first 429 the rate is unlimited (concurrency alone bounds it). A 429 sets the rate to half of
/// what was actually being sent (or half the current limit, whichever is lower), at most once per
/// <see cref="AdaptiveRateOptions.DecreaseInterval"/> so that one burst of 429s from many concurrent requests
/// counts once. Every second without a 429 adds a fixed step (a tenth of the rate at the last decrease, at
/// least <see cref="AdaptiveRateOptions.MinimumIncrease"/>), so the rate climbs back within about ten seconds —
/// the width of Key Vault's budget window. Pass the same instance as the observer of the vault clients and to
/// the session's options; it is thread-safe.
/// </remarks>
public sealed class AdaptiveRateLimiter : IRequestObserver
{
    private static readonly TimeSpan MeasureWindow = TimeSpan.FromSeconds(2);

    private readonly object _gate = new();
    private readonly AdaptiveRateOptions _options;
    private readonly TimeProvider _time;
    private readonly Queue<long> _recentGrants = new();
    private double _rate = double.PositiveInfinity;
    private double _increaseStep;
    private long _nextSlot;
    private long _lastDecrease = long.MinValue;
    private long _lastIncrease;
    private long _throttled;
    private long _responses;

    /// <summary>Creates a limiter; <paramref name="time"/> is for tests.</summary>
    public AdaptiveRateLimiter(AdaptiveRateOptions? options = null, TimeProvider? time = null)
    {
        _options = options ?? new AdaptiveRateOptions();
        _time = time ?? TimeProvider.System;
        _lastIncrease = _time.GetTimestamp();
    }

    /// <summary>The current limit in requests per second, or null while unlimited.</summary>
    public double? CurrentRate
    {
        get
        {
            lock (_gate)
            {
                ApplyIncrease(_time.GetTimestamp());
                return double.IsPositiveInfinity(_rate) ? null : _rate;
            }
        }
    }

    /// <summary>429 answers seen so far (each retried attempt counts).</summary>
    public long ThrottledCount => Interlocked.Read(ref _throttled);

    /// <summary>Answers seen so far.</summary>
    public long ResponseCount => Interlocked.Read(ref _responses);

    /// <inheritdoc />
    public void OnResponse(int status, TimeSpan elapsed)
    {
        Interlocked.Increment(ref _responses);
        if (status != 429)
        {
            return;
        }

        Interlocked.Increment(ref _throttled);
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            if (_lastDecrease != long.MinValue && _time.GetElapsedTime(_lastDecrease, now) < _options.DecreaseInterval)
            {
                return;
            }

            ApplyIncrease(now);
            var sent = MeasuredRate(now);
            var basis = Math.Min(_rate, sent > 0 ? sent : _rate);
            if (double.IsPositiveInfinity(basis))
            {
                basis = _options.MaximumRate;
            }

            _rate = Math.Clamp(basis * _options.DecreaseFactor, _options.MinimumRate, _options.MaximumRate);
            _increaseStep = Math.Max(_options.MinimumIncrease, _rate / 10);
            _lastDecrease = now;
            _lastIncrease = now;
        }
    }

    /// <summary>Waits until one more request may be sent.</summary>
    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        var delay = Reserve();
        return delay <= TimeSpan.Zero ? ValueTask.CompletedTask : new ValueTask(Task.Delay(delay, _time, cancellationToken));
    }

    /// <summary>Books the next request slot and returns how long to wait for it.</summary>
    internal TimeSpan Reserve()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            ApplyIncrease(now);
            Record(now);
            if (double.IsPositiveInfinity(_rate))
            {
                _nextSlot = now;
                return TimeSpan.Zero;
            }

            // A token bucket holding at most a tenth of a second of requests, so that timer granularity
            // does not cost throughput.
            var interval = (long)(_time.TimestampFrequency / _rate);
            var burst = _time.TimestampFrequency / 10;
            var slot = Math.Max(_nextSlot, now - burst);
            _nextSlot = slot + interval;
            return slot <= now ? TimeSpan.Zero : _time.GetElapsedTime(now, slot);
        }
    }

    private void ApplyIncrease(long now)
    {
        if (double.IsPositiveInfinity(_rate))
        {
            return;
        }

        var seconds = _time.GetElapsedTime(_lastIncrease, now).TotalSeconds;
        if (seconds < 1)
        {
            return;
        }

        var steps = Math.Floor(seconds);
        _rate = Math.Min(_options.MaximumRate, _rate + (steps * _increaseStep));
        _lastIncrease += (long)(steps * _time.TimestampFrequency);
    }

    private void Record(long now)
    {
        _recentGrants.Enqueue(now);
        Trim(now);
    }

    private double MeasuredRate(long now)
    {
        Trim(now);
        return _recentGrants.Count / MeasureWindow.TotalSeconds;
    }

    private void Trim(long now)
    {
        while (_recentGrants.Count > 0 && _time.GetElapsedTime(_recentGrants.Peek(), now) > MeasureWindow)
        {
            _recentGrants.Dequeue();
        }
    }
}
