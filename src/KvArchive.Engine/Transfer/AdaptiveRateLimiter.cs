using KvArchive.Engine.Transfer.Rate;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// The one rate control of backup and restore, for a service whose budget is a number of requests in any window of a
/// fixed width, shared with other callers (Key Vault: 4,000 per vault in any 10 s). It sees every answer the vault
/// clients receive, the SDK's own retries included (<see cref="IRequestObserver"/>). Design: docs/RATE-CONTROL.md.
/// </summary>
/// <remarks>
/// <para>It controls an allowance: how many requests this client may have in the vault's window. Requests are booked
/// in a ledger of send times (<see cref="SendLedger"/>) so that no window ever holds more than the allowance, and
/// spaced evenly at allowance ÷ window, so that the window fills steadily, never in a burst it would refuse one
/// window later. The allowance never exceeds the user's share of the window's budget; only with the whole budget
/// (share 1, no rate cap) may the first window's budget go at once. A 429 means the window is full now — not how big
/// the budget is: the allowance drops to a little less than what this client holds of the window (what it can keep
/// if the others' use stays as it is), once per burst of 429s, then grows back along a cubic curve
/// (<see cref="CubicGrowth"/>): within seconds, flat near where the 429 came, so that it settles at what other callers
/// leave free, then faster, so that it finds the budget again when they go. A Retry-After holds every request until
/// it has passed.</para>
/// <para>Pass the same instance as the observer of the vault clients and to the session's options; it is
/// thread-safe.</para>
/// </remarks>
public sealed class AdaptiveRateLimiter : IRequestObserver
{
    private readonly object _gate = new();
    private readonly AdaptiveRateOptions _options;
    private readonly TimeProvider _time;
    private readonly SendLedger _ledger;
    private readonly CubicGrowth _growth;
    private readonly Queue<long> _accepted = new();
    private readonly long _window;
    private readonly long _bucket;
    private readonly long _horizon;
    private readonly int _limit;
    private readonly double _minimum;
    private bool _opening;
    private long _openingEnds = long.MaxValue;
    private long _nextSlot = long.MinValue;
    private long _holdUntil = long.MinValue;
    private long _lastDecrease = long.MinValue;
    private long _throttled;
    private long _responses;
    private long _decreases;
    private long _latestServerDate = long.MinValue;

    /// <summary>Creates a limiter (<see cref="AdaptiveRateOptions.KeyVault"/> when no options); <paramref name="time"/> is for tests.</summary>
    public AdaptiveRateLimiter(AdaptiveRateOptions? options = null, TimeProvider? time = null)
    {
        _options = options ?? AdaptiveRateOptions.KeyVault;
        if (!(_options.MaxBudgetShare is > 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.MaxBudgetShare, "The budget share must be above 0 and at most 1.");
        }

        if (_options.MaxRequestRate is { } rate && !(rate > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), rate, "The request rate must be above 0.");
        }

        _time = time ?? TimeProvider.System;
        var frequency = _time.TimestampFrequency;
        _window = (long)(_options.Window.TotalSeconds * frequency);

        // Requests reach the service a little after they leave, some later than others: the ledger's window is 50 ms
        // wider, and a little of the share is kept back for the same reason.
        _ledger = new SendLedger(_window + (frequency / 20));
        var limit = _options.WindowBudget * _options.MaxBudgetShare * (_options.MaxBudgetShare < 1 ? 0.99 : 0.995);
        if (_options.MaxRequestRate is { } maxRate)
        {
            limit = Math.Min(limit, maxRate * _options.Window.TotalSeconds);
        }

        _limit = (int)Math.Max(1, limit);
        _minimum = Math.Min(_limit, Math.Max(1, _options.MinimumRate * _options.Window.TotalSeconds));
        _opening = _options.MaxBudgetShare >= 1 && _options.MaxRequestRate is null;

        // At most a tenth of a second of requests saved up after a pause: enough that timer granularity costs no
        // throughput, too little to be a burst. Slots further ahead than the horizon are not booked: the caller asks
        // again, so that an allowance that grows meanwhile is used at once.
        _bucket = frequency / 10;
        _horizon = frequency / 4;

        // Scaled to the cap: from 70% of it back to it in the recovery time, whatever the share.
        var recovery = Math.Max(0.1, _options.RecoveryTime.TotalSeconds);
        _growth = new CubicGrowth(_limit * 0.3 / (recovery * recovery * recovery), frequency);
    }

    /// <summary>
    /// The limit in requests per second while 429s hold the rate below the cap, or null (the transfer runs at its
    /// cap: <see cref="RateCap"/>).
    /// </summary>
    public double? CurrentRate
    {
        get
        {
            lock (_gate)
            {
                var allowance = Allowance(_time.GetTimestamp());
                return allowance < _limit * 0.99 ? RateOf(allowance) : null;
            }
        }
    }

    /// <summary>The steady rate the share (and rate cap) allow, in requests per second.</summary>
    public double RateCap => RateOf(_limit);

    /// <summary>The most requests sent in any window (the share of the window's budget).</summary>
    public int WindowLimit => _limit;

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
    public void OnRetryAfter(TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var until = now + (long)(Math.Min(delay.TotalSeconds, _options.MaxRetryAfter.TotalSeconds) * _time.TimestampFrequency);
            _holdUntil = Math.Max(_holdUntil, until);
        }
    }

    /// <inheritdoc />
    public void OnResponse(int status, TimeSpan elapsed)
    {
        Interlocked.Increment(ref _responses);
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            if (status != 429)
            {
                // What the vault's window holds of this client: answers it counted (not transport failures, not the
                // authentication challenge, not the 5xx of a failing front end).
                if (status is >= 200 and < 500 and not 401)
                {
                    _accepted.Enqueue(now);
                    TrimAccepted(now);
                }

                return;
            }

            Interlocked.Increment(ref _throttled);
            var sentAt = now - (long)(elapsed.TotalSeconds * _time.TimestampFrequency);
            _ledger.Remove(sentAt);

            // One burst counts once: the answer to a request sent before the last decrease answers the old allowance.
            if (_lastDecrease != long.MinValue
                && (sentAt < _lastDecrease || now - _lastDecrease < (long)(_options.DecreaseInterval.TotalSeconds * _time.TimestampFrequency)))
            {
                return;
            }

            Decrease(now);
        }
    }

    /// <summary>A client's own retry waits like a first attempt (a retried 429 would otherwise go out while the window is still full).</summary>
    public ValueTask BeforeRetryAsync(CancellationToken cancellationToken) => WaitAsync(cancellationToken);

    /// <summary>Waits until one more request may be sent.</summary>
    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        var booked = TryReserve(out var delay);
        return booked && delay <= TimeSpan.Zero ? ValueTask.CompletedTask : WaitSlowlyAsync(booked, delay, cancellationToken);
    }

    private async ValueTask WaitSlowlyAsync(bool booked, TimeSpan delay, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }

            // A Retry-After that came while this request waited for its slot holds it too.
            if (booked && !IsHeld())
            {
                return;
            }

            booked = TryReserve(out delay);
            if (booked && delay <= TimeSpan.Zero)
            {
                return;
            }
        }
    }

    /// <summary>True while a Retry-After holds every request.</summary>
    internal bool IsHeld()
    {
        lock (_gate)
        {
            return _holdUntil > _time.GetTimestamp();
        }
    }

    /// <summary>
    /// Books the next request slot when it is near, returning how long to wait for it (true); otherwise books nothing
    /// and returns how long to wait before asking again (false).
    /// </summary>
    internal bool TryReserve(out TimeSpan delay)
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            if (_opening && now >= _openingEnds)
            {
                _opening = false;
            }

            var allowance = Allowance(now);
            var paced = _opening ? now : Math.Max(_nextSlot, now - _bucket);
            var earliest = Math.Max(Math.Max(paced, now), _holdUntil);
            var slot = _ledger.Earliest(now, earliest, (int)allowance);
            if (slot - now > _horizon)
            {
                delay = _time.GetElapsedTime(now, Math.Min(slot, now + _horizon));
                return false;
            }

            _ledger.Book(slot);
            if (_opening)
            {
                // The opening burst lasts one window at most, and ends once it has spent the window's budget.
                _openingEnds = Math.Min(_openingEnds, now + _window);
                if (_ledger.InWindow(slot) >= _limit)
                {
                    _opening = false;
                }
            }

            if (!_opening)
            {
                // Spacing runs on from the paced slot (which may lie in the past: the saved-up tenth of a second), or
                // from the slot the window or a Retry-After pushed it to.
                _nextSlot = (slot > Math.Max(paced, now) ? slot : paced) + (long)(_time.TimestampFrequency / RateOf(allowance));
            }

            delay = slot <= now ? TimeSpan.Zero : _time.GetElapsedTime(now, slot);
            return true;
        }
    }

    /// <summary>Requests per second that keep <paramref name="allowance"/> in the (ledger's) window.</summary>
    private double RateOf(double allowance) => allowance * _time.TimestampFrequency / _ledger.Window;

    /// <summary>How many requests this client may have in the window at <paramref name="now"/>.</summary>
    private double Allowance(long now)
        => _growth.Started ? Math.Clamp(_growth.At(now), _minimum, _limit) : _limit;

    /// <summary>
    /// A 429 that counts: the window is full now. What this client holds of it (the answers it counted in the last
    /// window) is what it can keep if the others' use stays as it is: the allowance drops a little below that (so that
    /// the window drains a little and others' next requests pass), then grows back.
    /// </summary>
    private void Decrease(long now)
    {
        TrimAccepted(now);
        var held = Math.Clamp(_accepted.Count, _minimum, _limit);
        var start = Math.Max(_minimum, held * _options.DecreaseFactor);
        _growth.Restart(now, held, start);
        _lastDecrease = now;

        // Someone else is using the vault: no more burst, however soon the allowance is back.
        _opening = false;
        Interlocked.Increment(ref _decreases);

        // No saved-up requests after a 429: the next goes one new interval from now.
        _nextSlot = Math.Max(_nextSlot, now + (long)(_time.TimestampFrequency / RateOf(start)));
    }

    private void TrimAccepted(long now)
    {
        while (_accepted.Count > 0 && _accepted.Peek() <= now - _window)
        {
            _accepted.Dequeue();
        }
    }
}
