namespace KvArchive.LocalVault.Throttling;

/// <summary>
/// An exact sliding-window budget: at most <c>limit</c> admissions in any window. A ring of the last admissions'
/// times: a request is admitted when the oldest of them has left the window. Refused requests are not recorded.
/// </summary>
public sealed class SlidingWindowLimiter(int limit, long windowMs)
{
    private readonly long[] _admitted = new long[limit];
    private readonly object _gate = new();
    private int _next;
    private int _count;

    public int Limit { get; } = limit;

    public bool TryAcquire(long nowMs)
    {
        lock (_gate)
        {
            if (_count < _admitted.Length)
            {
                _admitted[_next] = nowMs;
                _next = (_next + 1) % _admitted.Length;
                _count++;
                return true;
            }

            // The ring is full: _next holds the oldest admission.
            if (nowMs - _admitted[_next] >= windowMs)
            {
                _admitted[_next] = nowMs;
                _next = (_next + 1) % _admitted.Length;
                return true;
            }

            return false;
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _count = 0;
            _next = 0;
        }
    }
}
