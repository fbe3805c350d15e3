namespace KvArchive.Engine.Transfer;

/// <summary>
/// The budget mode of <see cref="AdaptiveRateLimiter"/> (<see cref="AdaptiveRateOptions.BudgetWindow"/>): for a
/// service whose limit is a number of requests in any window of a fixed width (Key Vault: about 4,000 per 10 s per
/// vault), which halving a rate on each 429 serves badly — once a burst has used the window up, every request is
/// refused until the window slides, however slowly they come, and the halvings leave the rate far below the budget
/// when it frees again.
/// </summary>
/// <remarks>
/// <para>Until the first 429 nothing is held back. The first 429 shows the window is full: the budget is taken as
/// what the vault accepted in the last window (less 0.5%). From then on a request is sent only when fewer than the
/// budget were sent in the window before it (so after a burst, nothing is sent until the burst's requests leave the
/// window), and requests are spaced evenly at budget ÷ window (so the window then fills steadily, not in bursts; both with
/// 50 ms of slack for requests that reach the service later than others).
/// A later 429 sets the budget again from what was accepted; each second without one adds a little (half the
/// distance back to the highest budget seen, then 0.05% a second beyond it) so a budget that grows, or a low
/// estimate, is found again.</para>
/// <para>Not thread-safe: the limiter calls it under its lock, with timestamps of its <see cref="TimeProvider"/>.</para>
/// </remarks>
internal sealed class BudgetWindow
{
    private const double Margin = 0.995;
    private const double GrowthBeyondPeak = 0.0005;

    private readonly long _window;
    private readonly long _guard;
    private readonly long _second;
    private readonly double _minimum;
    private readonly double _maximum;
    private readonly Queue<long> _accepted = new();
    private readonly List<long> _slots = [];
    private int _head;
    private double _budget;
    private double _peak;
    private long _nextSlot = long.MinValue;
    private long _lastChange;

    public BudgetWindow(TimeSpan window, TimeProvider time, double minimumRate, double maximumRate)
    {
        var frequency = time.TimestampFrequency;
        _window = (long)(window.TotalSeconds * frequency);

        // Requests reach the service a little after they leave, some later than others: age them out of the window
        // a little late. Spacing is over the same span, so that steady sending never fills the window.
        _guard = _window + (frequency / 20);
        _second = frequency;
        _minimum = Math.Max(1, minimumRate * window.TotalSeconds);
        _maximum = maximumRate * window.TotalSeconds;
    }

    /// <summary>The budget per window once learned, else 0.</summary>
    public double Budget => _budget;

    /// <summary>The steady rate (requests per second) once learned, else null.</summary>
    public double? Rate => _budget > 0 ? _budget * _second / _guard : null;

    /// <summary>A response that was not a 429.</summary>
    public void OnAccepted(long now)
    {
        _accepted.Enqueue(now);
        TrimAccepted(now);
    }

    /// <summary>
    /// A 429 that counts (one per burst): the window was full. Learns the budget from what this client had
    /// accepted in the window (what was sent but not yet answered, or refused alongside, cannot be told apart, so
    /// it is left out: the safe side).
    /// </summary>
    public void OnThrottled(long now)
    {
        TrimAccepted(now);
        _budget = Math.Clamp(_accepted.Count * Margin, _minimum, _maximum);
        _peak = Math.Max(_peak, _budget);
        _lastChange = now;
    }

    /// <summary>Books a send slot: the timestamp at which the request may go (now or later).</summary>
    public long Reserve(long now)
    {
        Grow(now);
        while (_head < _slots.Count && _slots[_head] <= now - _guard)
        {
            _head++;
        }

        if (_head > 4096 && _head > _slots.Count / 2)
        {
            _slots.RemoveRange(0, _head);
            _head = 0;
        }

        var slot = now;
        if (_budget > 0)
        {
            // Evenly spaced, with at most a tenth of a second saved up after a pause (more would come back as a
            // burst one window later, and the window would then hold the sender back).
            slot = Math.Max(_nextSlot, now - (_second / 10));
            var inWindow = _slots.Count - _head;
            var limit = Math.Max(1, (int)_budget);
            if (inWindow >= limit)
            {
                slot = Math.Max(slot, _slots[_head + inWindow - limit] + _guard);
            }

            _nextSlot = slot + (long)(_guard / _budget);
        }

        // Slots only grow (spacing keeps them in order), so the list stays sorted.
        if (_slots.Count > _head && slot < _slots[^1])
        {
            slot = _slots[^1];
        }

        _slots.Add(slot);
        return slot;
    }

    private void Grow(long now)
    {
        if (_budget <= 0 || now - _lastChange < _second)
        {
            return;
        }

        var seconds = (now - _lastChange) / _second;
        for (var i = 0; i < seconds && i < 60; i++)
        {
            _budget = _budget < _peak ? Math.Min(_peak, _budget + Math.Max(_minimum, (_peak - _budget) / 2)) : _budget * (1 + GrowthBeyondPeak);
        }

        _budget = Math.Min(_budget, _maximum);
        _peak = Math.Max(_peak, _budget);
        _lastChange += seconds * _second;
    }

    private void TrimAccepted(long now)
    {
        while (_accepted.Count > 0 && _accepted.Peek() <= now - _window)
        {
            _accepted.Dequeue();
        }
    }
}
