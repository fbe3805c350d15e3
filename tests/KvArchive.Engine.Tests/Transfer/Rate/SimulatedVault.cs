using KvArchive.Engine.Transfer;

namespace KvArchive.Engine.Tests.Transfer.Rate;

/// <summary>
/// A discrete-event model of a vault's sliding-window budget on a <see cref="ManualTime"/>: a transfer client driven by
/// an <see cref="AdaptiveRateLimiter"/> (so many requests in flight, each answered after the latency), and other
/// callers — a steady one and a burst — drawing on the same budget. Refused requests do not count against it, as
/// on Key Vault. Deterministic: no wall clock, no randomness.
/// </summary>
internal sealed class SimulatedVault
{
    private readonly ManualTime _time;
    private readonly PriorityQueue<Action, (long At, long Seq)> _events = new();
    private readonly Queue<long> _admitted = new();
    private readonly long _window;
    private long _seq;
    private int _injected;
    private long _injectFrom = long.MaxValue;

    public SimulatedVault(ManualTime time, int budget = 4000, TimeSpan? window = null)
    {
        _time = time;
        Budget = budget;
        _window = (window ?? TimeSpan.FromSeconds(10)).Ticks;
    }

    public int Budget { get; }

    /// <summary>Round trip of one request; it reaches the vault halfway.</summary>
    public TimeSpan Latency { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Sent with each 429 as Retry-After, when set.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The transfer's results, second by second.</summary>
    public Counter Client { get; } = new();

    /// <summary>The steady other caller's results, second by second.</summary>
    public Counter Competitor { get; } = new();

    /// <summary>The bursting other caller's results.</summary>
    public Counter Burster { get; } = new();

    /// <summary>When each of the transfer's requests reached the vault (admitted or not).</summary>
    public List<long> ClientArrivals { get; } = [];

    public long Now => _time.GetTimestamp();

    /// <summary>
    /// Starts the transfer: <paramref name="concurrency"/> workers each wait for the limiter, send, and on the answer
    /// go again, until <paramref name="requests"/> were admitted (null: until the run ends).
    /// </summary>
    public void StartClient(AdaptiveRateLimiter limiter, int concurrency, int? requests = null)
    {
        var remaining = requests ?? int.MaxValue;
        var inFlight = 0;
        void Next()
        {
            if (remaining - inFlight <= 0)
            {
                return;
            }

            inFlight++;
            Wait(limiter, () =>
            {
                var sent = Now;
                At(sent + (Latency.Ticks / 2), () =>
                {
                    ClientArrivals.Add(Now);
                    var injected = Now >= _injectFrom && _injected > 0;
                    if (injected)
                    {
                        _injected--;
                    }

                    var ok = !injected && TryAdmit();
                    At(sent + Latency.Ticks, () =>
                    {
                        inFlight--;
                        Client.Add(Now, ok);
                        if (ok)
                        {
                            remaining--;
                        }
                        else if (RetryAfter is { } wait)
                        {
                            limiter.OnRetryAfter(wait);
                        }

                        limiter.OnResponse(ok ? 200 : 429, Latency);
                        Next();
                    });
                });
            });
        }

        for (var i = 0; i < concurrency; i++)
        {
            Next();
        }
    }

    /// <summary>What <see cref="AdaptiveRateLimiter.WaitAsync"/> does, on the simulated clock.</summary>
    private void Wait(AdaptiveRateLimiter limiter, Action send)
    {
        var booked = limiter.TryReserve(out var delay);
        At(Now + delay.Ticks, () =>
        {
            if (booked && !limiter.IsHeld())
            {
                send();
            }
            else
            {
                Wait(limiter, send);
            }
        });
    }

    /// <summary>Another caller sending <paramref name="perSecond"/> evenly from <paramref name="from"/> to <paramref name="until"/>, never retrying.</summary>
    public void StartCaller(Counter counter, double perSecond, TimeSpan from, TimeSpan until)
    {
        var interval = (long)(TimeSpan.TicksPerSecond / perSecond);
        void Send(long at)
        {
            if (at >= until.Ticks)
            {
                return;
            }

            At(at, () =>
            {
                counter.Add(Now, TryAdmit());
                Send(at + interval);
            });
        }

        Send(from.Ticks);
    }

    /// <summary>The next <paramref name="count"/> of the transfer's requests reaching the vault from <paramref name="from"/> are refused without using the budget.</summary>
    public void InjectThrottles(TimeSpan from, int count)
    {
        _injectFrom = from.Ticks;
        _injected = count;
    }

    /// <summary>Runs every event until <paramref name="until"/> (from the start of the clock).</summary>
    public void RunUntil(TimeSpan until)
    {
        while (_events.TryPeek(out _, out var key) && key.At <= until.Ticks)
        {
            var action = _events.Dequeue();
            _time.Advance(TimeSpan.FromTicks(key.At - Now));
            action();
        }

        if (until.Ticks > Now)
        {
            _time.Advance(TimeSpan.FromTicks(until.Ticks - Now));
        }
    }

    /// <summary>The most of the transfer's requests that reached the vault in any window.</summary>
    public int MostClientArrivalsInAWindow()
    {
        var most = 0;
        var start = 0;
        for (var i = 0; i < ClientArrivals.Count; i++)
        {
            while (ClientArrivals[i] - ClientArrivals[start] >= _window)
            {
                start++;
            }

            most = Math.Max(most, i - start + 1);
        }

        return most;
    }

    private void At(long at, Action action) => _events.Enqueue(action, (Math.Max(at, Now), _seq++));

    private bool TryAdmit()
    {
        while (_admitted.Count > 0 && Now - _admitted.Peek() >= _window)
        {
            _admitted.Dequeue();
        }

        if (_admitted.Count >= Budget)
        {
            return false;
        }

        _admitted.Enqueue(Now);
        return true;
    }

    /// <summary>Admitted and refused requests, second by second.</summary>
    internal sealed class Counter
    {
        private readonly List<(int Accepted, int Throttled)> _seconds = [];

        public int Accepted => _seconds.Sum(s => s.Accepted);

        public int Throttled => _seconds.Sum(s => s.Throttled);

        /// <summary>Admitted requests in second <paramref name="second"/> (counted from the start of the clock).</summary>
        public int AcceptedIn(int second) => second < _seconds.Count ? _seconds[second].Accepted : 0;

        public int ThrottledIn(int second) => second < _seconds.Count ? _seconds[second].Throttled : 0;

        /// <summary>Mean admitted requests per second over [from, to).</summary>
        public double AcceptedPerSecond(int from, int to) => Enumerable.Range(from, to - from).Average(AcceptedIn);

        public int ThrottledBetween(int from, int to) => Enumerable.Range(from, to - from).Sum(ThrottledIn);

        public void Add(long at, bool accepted)
        {
            var second = (int)(at / TimeSpan.TicksPerSecond);
            while (_seconds.Count <= second)
            {
                _seconds.Add((0, 0));
            }

            var s = _seconds[second];
            _seconds[second] = accepted ? (s.Accepted + 1, s.Throttled) : (s.Accepted, s.Throttled + 1);
        }

        public override string ToString() => string.Join(" ", _seconds.Select(s => s.Throttled > 0 ? $"{s.Accepted}/{s.Throttled}" : $"{s.Accepted}"));
    }
}
