using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// Tells a backup whether objects changed after their versions were listed, from one re-listing of the vault's
/// objects of one type (25 objects per request) instead of listing each object's versions a second time.
/// </summary>
/// <remarks>
/// <para>The session announces each object it will back up (<see cref="Expect"/>); a backed-up object then waits
/// here (<see cref="WaitAsync"/>), or drops out (<see cref="Forget"/>). The listing runs behind the backups, a page
/// at a time, when enough objects wait (<see cref="Batch"/>), when every announced object is waiting (nothing more
/// is coming for now), or when one has waited <see cref="MaxHold"/>. A listing item answers a waiting object only when the page was
/// requested after the object's backup finished, so it shows the object as it was after its backup: the caller
/// compares the item (the current version's times and attributes) with what it recorded.</para>
/// <para>When the listing cannot tell — it passed the name before the backup finished, the name is not listed
/// (deleted meanwhile), or the listing failed or ended — the object gets null and the caller lists its versions
/// itself, as it would without this check. So the check costs about one request per 25 objects when objects
/// arrive in listing order, and never more than one listing of the vault on top of the old per-object cost.</para>
/// <para>When a page was requested is known from the listing's own steps: a step that does not complete at once
/// fetched a page; the items that follow at once came from it. Its start is a lower bound of when the page was
/// read, which is the safe side.</para>
/// </remarks>
internal sealed class ListingCheck : IDisposable
{
    /// <summary>Waiting objects that start a page at once.</summary>
    public const int Batch = 50;

    /// <summary>Items per page of a Key Vault listing.</summary>
    private const int PageSize = 25;

    /// <summary>The longest an object waits before the listing moves on anyway.</summary>
    public static readonly TimeSpan MaxHold = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long every announced object must have been waiting before that counts as "nothing more is coming":
    /// the input may just be between two items.
    /// </summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(50);

    private readonly object _gate = new();
    private readonly IVaultClient _client;
    private readonly KvObjectType _type;
    private readonly AdaptiveRateLimiter _limiter;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop;
    private readonly Dictionary<string, Waiter> _waiting = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _passed = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _wake = new(0);
    private Task? _loop;
    private int _outstanding;
    private long? _allWaitingSince;
    private bool _ended;
    private bool _disposed;

    public ListingCheck(IVaultClient client, KvObjectType type, AdaptiveRateLimiter limiter, TimeProvider time, CancellationToken cancellationToken)
    {
        _client = client;
        _type = type;
        _limiter = limiter;
        _time = time;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>Listing requests made so far (pages fetched).</summary>
    public int Pages { get; private set; }

    /// <summary>
    /// Waits for a listing item of an announced object, <paramref name="name"/>, read after <paramref name="finishedAt"/> (a timestamp of
    /// the session's <see cref="TimeProvider"/>, taken when the object's backup answered). Null: the listing cannot
    /// tell; check the object another way.
    /// </summary>
    public Task<KvObject?> WaitAsync(string name, long finishedAt)
    {
        lock (_gate)
        {
            if (_ended || _disposed || _passed.Contains(name) || _waiting.ContainsKey(name))
            {
                _outstanding--;
                return Task.FromResult<KvObject?>(null);
            }

            var waiter = new Waiter(finishedAt);
            _waiting.Add(name, waiter);
            _loop ??= Task.Run(LoopAsync);

            // The first waiter wakes the loop too: with nobody waiting it sleeps without a deadline, and it must
            // start this waiter's MaxHold clock even when more objects were announced than will ever wait.
            if (_waiting.Count == 1 || _waiting.Count >= Batch || _waiting.Count >= _outstanding)
            {
                Wake();
            }

            return waiter.Result.Task;
        }
    }

    /// <summary>An object of this vault and type will be backed up: it will wait here or be forgotten.</summary>
    public void Expect()
    {
        lock (_gate)
        {
            _outstanding++;
            _allWaitingSince = null;
        }
    }

    /// <summary>An announced object finished without waiting here (skipped, failed, or checked another way).</summary>
    public void Forget()
    {
        bool wake;
        lock (_gate)
        {
            _outstanding--;
            wake = _waiting.Count > 0 && _waiting.Count >= _outstanding;
        }

        if (wake)
        {
            Wake();
        }
    }

    /// <summary>Stops the listing; objects still waiting get null.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _stop.Cancel();
        End();
        if (_loop is null)
        {
            _stop.Dispose();
        }
        else
        {
            _loop.ContinueWith(_ => _stop.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task LoopAsync()
    {
        var token = _stop.Token;
        IAsyncEnumerator<KvObject>? listing = null;
        try
        {
            listing = _client.ListAsync(_type, token).GetAsyncEnumerator(token);
            long pageFrom = long.MinValue;
            var sincePage = PageSize;
            while (true)
            {
                // The rest of a fetched page costs nothing: read it before deciding whether to fetch another.
                if (sincePage >= PageSize)
                {
                    var wait = NextWait();
                    if (wait != TimeSpan.Zero)
                    {
                        await _wake.WaitAsync(wait, token).ConfigureAwait(false);
                        continue;
                    }

                    await _limiter.WaitAsync(token).ConfigureAwait(false);
                }

                var started = _time.GetTimestamp();
                var step = listing.MoveNextAsync();
                if (!step.IsCompleted)
                {
                    pageFrom = started;
                    sincePage = 0;
                    Pages++;
                }

                if (!await step.ConfigureAwait(false))
                {
                    break;
                }

                sincePage++;
                Observe(listing.Current, pageFrom);
            }
        }
        catch (Exception e) when (e is KvException or OperationCanceledException)
        {
            // The objects still waiting are checked one by one instead (a failure no object can escape shows there).
        }
        finally
        {
            End();
            if (listing is not null)
            {
                try
                {
                    await listing.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is KvException or OperationCanceledException)
                {
                }
            }
        }
    }

    /// <summary>Zero to read on now; else how long to wait for more objects (or a wake-up).</summary>
    private TimeSpan NextWait()
    {
        lock (_gate)
        {
            if (_waiting.Count == 0)
            {
                return Timeout.InfiniteTimeSpan;
            }

            if (_waiting.Count >= Batch)
            {
                return TimeSpan.Zero;
            }

            var oldest = long.MaxValue;
            foreach (var waiter in _waiting.Values)
            {
                oldest = Math.Min(oldest, waiter.FinishedAt);
            }

            var held = _time.GetElapsedTime(oldest);
            var wait = held >= MaxHold ? TimeSpan.Zero : MaxHold - held;
            if (_waiting.Count < _outstanding)
            {
                _allWaitingSince = null;
                return wait;
            }

            _allWaitingSince ??= _time.GetTimestamp();
            var settled = _time.GetElapsedTime(_allWaitingSince.Value);
            return settled >= Settle ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Min(wait.Ticks, (Settle - settled).Ticks));
        }
    }

    private void Observe(KvObject item, long pageFrom)
    {
        Waiter? waiter;
        lock (_gate)
        {
            if (!_waiting.Remove(item.Name, out waiter))
            {
                _passed.Add(item.Name);
                return;
            }

            _outstanding--;
        }

        // A page requested before the backup answered may show the object as it was before: no answer from it.
        waiter.Result.TrySetResult(waiter.FinishedAt < pageFrom ? item : null);
    }

    private void End()
    {
        List<Waiter> left;
        lock (_gate)
        {
            _ended = true;
            left = [.. _waiting.Values];
            _outstanding -= left.Count;
            _waiting.Clear();
            _passed.Clear();
        }

        foreach (var waiter in left)
        {
            waiter.Result.TrySetResult(null);
        }
    }

    private sealed class Waiter(long finishedAt)
    {
        public long FinishedAt { get; } = finishedAt;

        public TaskCompletionSource<KvObject?> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
