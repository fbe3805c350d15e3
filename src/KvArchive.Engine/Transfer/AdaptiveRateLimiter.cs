using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// The one rate control of backup and restore: additive increase, multiplicative decrease (AIMD) of the
/// request rate, driven by the 429s that <see cref="IRequestObserver"/> sees (the SDK retries them inside,
/// often without a Retry-After, so the caller would otherwise never slow down).
/// </summary>
/// <remarks>
/// Until the first 429 the rate is unlimited (concurrency alone bounds it). A 429 sets the rate to half of
/// what the vault was actually answering (every attempt counts, the SDK's retries too) or half the current
/// limit, whichever is lower. One burst counts once: a 429 to a request sent before the last decrease, or
/// within <see cref="AdaptiveRateOptions.DecreaseInterval"/> of it, is ignored (the answer to the old rate, as
/// TCP counts one loss per round trip). Every second without a 429 adds a fixed step — a tenth of the highest
/// rate a decrease started from, at least <see cref="AdaptiveRateOptions.MinimumIncrease"/> — so the rate climbs
/// back to where throttling began within about ten seconds, the width of Key Vault's budget window. A whole
/// <see cref="AdaptiveRateOptions.QuietPeriod"/> (one budget window) without a 429 lifts the limit: the vault's
/// budget has refilled. Pass the same instance as the observer of the vault clients and to the session's
/// options; it is thread-safe.
/// <para>With <see cref="AdaptiveRateOptions.BudgetWindow"/> set (as backup and restore sessions do for Key Vault),
/// a 429 instead teaches it the vault's budget per window, and it then sends evenly at that budget, never more than
/// it in any window (<see cref="BudgetWindow"/>).</para>
/// </remarks>
public sealed class AdaptiveRateLimiter : IRequestObserver
{
    private static readonly TimeSpan MeasureWindow = TimeSpan.FromSeconds(2);

    private readonly object _gate = new();
    private readonly AdaptiveRateOptions _options;
    private readonly TimeProvider _time;
    private readonly Queue<long> _recentResponses = new();
    private double _rate = double.PositiveInfinity;
    private double _peak;
    private long _nextSlot;
    private long _lastDecrease = long.MinValue;
    private long _lastIncrease;
    private long _throttled;
    private long _responses;
    private long _decreases;
    private long _latestServerDate = long.MinValue;
    private readonly BudgetWindow? _budget;

    /// <summary>Creates a limiter; <paramref name="time"/> is for tests.</summary>
    public AdaptiveRateLimiter(AdaptiveRateOptions? options = null, TimeProvider? time = null)
    {
        _options = options ?? new AdaptiveRateOptions();
        _time = time ?? TimeProvider.System;
        _lastIncrease = _time.GetTimestamp();
        if (_options.BudgetWindow is { } window)
        {
            _budget = new BudgetWindow(window, _time, _options.MinimumRate, _options.MaximumRate);
        }
    }

    /// <summary>The current limit in requests per second, or null while unlimited.</summary>
    public double? CurrentRate
    {
        get
        {
            lock (_gate)
            {
                if (_budget is not null)
                {
                    return _budget.Rate;
                }

                ApplyIncrease(_time.GetTimestamp());
                return double.IsPositiveInfinity(_rate) ? null : _rate;
            }
        }
    }

    /// <summary>429 answers seen so far (each retried attempt counts).</summary>
    public long ThrottledCount => Interlocked.Read(ref _throttled);

    /// <summary>How many times a 429 lowered the rate.</summary>
    public long DecreaseCount => Interlocked.Read(ref _decreases);

    /// <summary>Answers seen so far.</summary>
    public long ResponseCount => Interlocked.Read(ref _responses);

    /// <summary>
    /// The latest Date header seen on a response (the service's clock, whole seconds), or null before the first.
    /// Read before sending a request, it is a lower bound of the service's clock when that request is served.
    /// </summary>
    public DateTimeOffset? LatestServerDate
    {
        get
        {
            var seconds = Interlocked.Read(ref _latestServerDate);
            return seconds == long.MinValue ? null : DateTimeOffset.FromUnixTimeSeconds(seconds);
        }
    }

    /// <inheritdoc />
    public void OnServerDate(DateTimeOffset date)
    {
        var seconds = date.ToUnixTimeSeconds();
        long seen;
        while ((seen = Interlocked.Read(ref _latestServerDate)) < seconds && Interlocked.CompareExchange(ref _latestServerDate, seconds, seen) != seen)
        {
        }
    }

    /// <inheritdoc />
    public void OnResponse(int status, TimeSpan elapsed)
    {
        Interlocked.Increment(ref _responses);
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            _recentResponses.Enqueue(now);
            if (status != 429)
            {
                _budget?.OnAccepted(now);

                if (_recentResponses.Count > 4096)
                {
                    MeasuredRate(now);
                }

                return;
            }

            Interlocked.Increment(ref _throttled);
            if (_lastDecrease != long.MinValue)
            {
                var sentAt = now - (long)(elapsed.TotalSeconds * _time.TimestampFrequency);
                if (sentAt < _lastDecrease || _time.GetElapsedTime(_lastDecrease, now) < _options.DecreaseInterval)
                {
                    return;
                }
            }

            if (_budget is not null)
            {
                _budget.OnThrottled(now);
                _lastDecrease = now;
                Interlocked.Increment(ref _decreases);
                return;
            }

            ApplyIncrease(now);
            var answered = MeasuredRate(now);
            var basis = Math.Min(_rate, answered > 0 ? answered : _rate);
            if (double.IsPositiveInfinity(basis))
            {
                basis = _options.MaximumRate;
            }

            _peak = Math.Max(_peak, Math.Min(basis, _options.MaximumRate));
            _rate = Math.Clamp(basis * _options.DecreaseFactor, _options.MinimumRate, _options.MaximumRate);
            _lastDecrease = now;
            _lastIncrease = now;
            Interlocked.Increment(ref _decreases);
        }
    }

    /// <summary>
    /// In budget mode a client's own retry waits like a first attempt (a retried 429 would otherwise go out while
    /// the window is still used up, and the client's growing back-off would then idle it after the window frees).
    /// </summary>
    public ValueTask BeforeRetryAsync(CancellationToken cancellationToken)
        => _budget is null ? ValueTask.CompletedTask : WaitAsync(cancellationToken);

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
            if (_budget is not null)
            {
                var booked = _budget.Reserve(now);
                return booked <= now ? TimeSpan.Zero : _time.GetElapsedTime(now, booked);
            }

            ApplyIncrease(now);
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

        if (_time.GetElapsedTime(_lastDecrease, now) >= _options.QuietPeriod)
        {
            _rate = double.PositiveInfinity;
            return;
        }

        var seconds = _time.GetElapsedTime(_lastIncrease, now).TotalSeconds;
        if (seconds < 1)
        {
            return;
        }

        var steps = Math.Floor(seconds);
        var step = Math.Max(_options.MinimumIncrease, _peak / 10);
        _rate = Math.Min(_options.MaximumRate, _rate + (steps * step));
        _lastIncrease += (long)(steps * _time.TimestampFrequency);
    }

    private double MeasuredRate(long now)
    {
        while (_recentResponses.Count > 0 && _time.GetElapsedTime(_recentResponses.Peek(), now) > MeasureWindow)
        {
            _recentResponses.Dequeue();
        }

        if (_recentResponses.Count == 0)
        {
            return 0;
        }

        // Over the time the answers actually span, so that a 429 early in a run is not measured against an
        // empty window.
        var span = Math.Clamp(_time.GetElapsedTime(_recentResponses.Peek(), now).TotalSeconds, 0.25, MeasureWindow.TotalSeconds);
        return _recentResponses.Count / span;
    }
}
