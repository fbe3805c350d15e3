namespace KvArchive.Engine.Transfer.Rate;

/// <summary>
/// The times this client's requests were booked to go, so that it never sends more than a limit in any window of a
/// sliding budget: a request whose slot would make the limit-plus-first in a window waits until the oldest of them
/// leaves it. The window is a little wider than the service's, because requests reach the service a little after
/// they leave, some later than others. A request the vault refused is taken out again (refused requests do not count
/// against its budget).
/// </summary>
/// <remarks>Not thread-safe: the limiter calls it under its lock, with timestamps of its <see cref="TimeProvider"/>.</remarks>
internal sealed class SendLedger
{
    private readonly long _window;
    private readonly List<long> _slots = [];
    private int _head;

    public SendLedger(long window)
    {
        _window = window;
    }

    /// <summary>The width of the ledger's window, in timestamp units.</summary>
    public long Window => _window;

    /// <summary>
    /// The first slot at or after <paramref name="candidate"/> that keeps every window within <paramref name="limit"/>
    /// (not booked).
    /// </summary>
    public long Earliest(long now, long candidate, int limit)
    {
        Trim(now);

        // Slots only grow, so the list stays sorted and the window before a slot is a tail of it.
        var slot = _slots.Count > _head ? Math.Max(candidate, _slots[^1]) : candidate;
        limit = Math.Max(1, limit);
        if (CountAfter(slot - _window) >= limit)
        {
            slot = Math.Max(slot, _slots[_slots.Count - limit] + _window);
        }

        return slot;
    }

    /// <summary>Books a slot from <see cref="Earliest"/>.</summary>
    public void Book(long slot) => _slots.Add(slot);

    /// <summary>Takes out the booked slot nearest <paramref name="sentAt"/> (a refused request).</summary>
    public void Remove(long sentAt)
    {
        if (_slots.Count == _head)
        {
            return;
        }

        var i = _slots.Count - CountAfter(sentAt);
        if (i == _slots.Count || (i > _head && sentAt - _slots[i - 1] < _slots[i] - sentAt))
        {
            i--;
        }

        _slots.RemoveAt(i);
    }

    private void Trim(long now)
    {
        while (_head < _slots.Count && _slots[_head] <= now - _window)
        {
            _head++;
        }

        if (_head > 4096 && _head > _slots.Count / 2)
        {
            _slots.RemoveRange(0, _head);
            _head = 0;
        }
    }

    /// <summary>Booked slots in the window that ends at <paramref name="at"/>.</summary>
    public int InWindow(long at) => CountAfter(at - _window) - CountAfter(at);

    /// <summary>Slots booked in (<paramref name="from"/>, <paramref name="to"/>].</summary>
    public int Between(long from, long to) => CountAfter(from) - CountAfter(to);

    /// <summary>The first slot still in the ledger, or null.</summary>
    public long? First => _slots.Count > _head ? _slots[_head] : null;

    private int CountAfter(long time)
    {
        // Binary search for the first slot later than time.
        int lo = _head, hi = _slots.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_slots[mid] <= time)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return _slots.Count - lo;
    }
}
