using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using KvArchive.Engine.Hosting;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// The concurrency shared by backup and restore: a bounded set of workers fed from the driving thread,
/// every host call marshalled back to it through a <see cref="HostPump"/>, output released in input order,
/// progress, and cancellation that stops the workers within moments. The request rate is held by the
/// session's <see cref="AdaptiveRateLimiter"/>, which the work functions await before each vault call.
/// </summary>
internal sealed class TransferRunner<TItem> : IDisposable
{
    /// <summary>Items that may wait, finished by their worker but not yet released, beyond the queue's usual depth.</summary>
    public const int DeferredMargin = 64;

    private readonly IHostContext _host;
    private readonly HostPump _pump;
    private readonly Func<TItem, ItemScope, CancellationToken, Task> _work;
    private readonly Channel<(long Sequence, TItem Item)> _queue;
    private readonly CancellationTokenSource _cancellation;
    private readonly CancellationToken _hostToken;
    private readonly int _throttleLimit;
    private Task[] _workers = [];
    private readonly SortedDictionary<long, ItemScope> _finishedOutOfOrder = [];
    private readonly TransferProgress _progress;
    private readonly int _maxInFlight;
    private long _nextSequence;
    private long _nextRelease;
    private int _added;
    private int _finished;
    private int _failed;
    private int _light;
    private int _expected;
    private bool _inputComplete;
    private ExceptionDispatchInfo? _fatal;

    public TransferRunner(IHostContext host, int throttleLimit, TransferProgress progress, Func<TItem, ItemScope, CancellationToken, Task> work)
    {
        _host = host;
        _pump = new HostPump(host);
        _work = work;
        _progress = progress;
        _hostToken = host.CancellationToken;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(_hostToken);
        _queue = Channel.CreateUnbounded<(long, TItem)>(new UnboundedChannelOptions { SingleWriter = true });

        // Enough queued work that the workers never wait for the pipeline, few enough that input
        // (e.g. a listing of 100,000 objects) is not read far ahead of the work. Items whose worker moved on
        // but that are not finished (a backup waiting for its listing check) count too, hence the margin.
        _maxInFlight = (throttleLimit * 4) + DeferredMargin;
        _throttleLimit = throttleLimit;
    }

    /// <summary>Cancelled when the host cancels or the run fails.</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>Items finished so far.</summary>
    public int Finished => _finished;

    /// <summary>Items added so far.</summary>
    public int Added => _added;

    /// <summary>Raises the count of items known to be coming (e.g. the entries of an archive), for percent and time left.</summary>
    public void Expect(int count) => _expected += Math.Max(0, count);

    /// <summary>Queues an item, then drains host calls while too many items are in flight; the driving thread only.</summary>
    public void Add(TItem item)
    {
        ThrowIfStopped();
        StartWorkers();
        _queue.Writer.TryWrite((_nextSequence++, item));
        _added++;
        Run(() => _added - _finished < _maxInFlight);
    }

    /// <summary>
    /// Waits for work the driving thread needs (e.g. the next page of a listing), draining host calls
    /// meanwhile; the driving thread only. The work runs on the thread pool, so no synchronization context
    /// of the caller is needed to finish it.
    /// </summary>
    public T Await<T>(Func<CancellationToken, Task<T>> work)
    {
        ThrowIfStopped();
        var task = Task.Run(() => work(_cancellation.Token));
        task.ContinueWith(_ => _pump.Wake(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        Run(() => task.IsCompleted);
        return task.GetAwaiter().GetResult();
    }

    /// <summary>Waits for every item, releasing output as it comes; the driving thread only.</summary>
    public void Complete()
    {
        ThrowIfStopped();
        _inputComplete = true;
        _queue.Writer.TryComplete();
        Run(() => _finished == _added);
        Task.WaitAll(_workers);
        _progress.Tick(_host, new TransferProgress.Counts(_added, _finished, _failed, _light, _expected), inputComplete: true);
        _progress.Complete(_host, _finished, _failed);
    }

    /// <summary>Starts the workers with the first item (constructing a runner starts nothing).</summary>
    private void StartWorkers()
    {
        if (_workers.Length > 0)
        {
            return;
        }

        _workers = new Task[_throttleLimit];
        for (var i = 0; i < _throttleLimit; i++)
        {
            _workers[i] = Task.Run(WorkerAsync);
        }
    }

    /// <summary>Stops the workers (cancelling what they are doing) and waits briefly for them.</summary>
    public void Abort()
    {
        _queue.Writer.TryComplete();
        if (!_cancellation.IsCancellationRequested)
        {
            _cancellation.Cancel();
        }

        try
        {
            Task.WaitAll(_workers, TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Workers end with their cancellation; nothing to report.
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Abort();
        _cancellation.Dispose();
    }

    private void Run(Func<bool> done)
    {
        try
        {
            _pump.RunUntil(
                () => _fatal is not null || done(),
                TransferProgress.Interval,
                () => _progress.Tick(_host, new TransferProgress.Counts(_added, _finished, _failed, _light, _expected), _inputComplete),
                _cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            _fatal?.Throw();
            throw Cancelled();
        }

        ThrowIfStopped();
    }

    private void ThrowIfStopped()
    {
        _fatal?.Throw();
        if (_hostToken.IsCancellationRequested)
        {
            throw Cancelled();
        }
    }

    private static KvException Cancelled() => new(KvErrorKind.Cancelled, KvErrorIds.Cancelled, "The operation was stopped.");

    private async Task WorkerAsync()
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_cancellation.Token).ConfigureAwait(false))
            {
                while (_queue.Reader.TryRead(out var next))
                {
                    var scope = new ItemScope(_pump, next.Sequence);
                    await _work(next.Item, scope, _cancellation.Token).ConfigureAwait(false);
                    if (scope.Deferred is { } deferred)
                    {
                        _ = deferred.ContinueWith(done => OnDeferredDone(scope, done), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                        continue;
                    }

                    _pump.Post(_ => OnFinished(scope));
                }
            }
        }
        catch (Exception) when (_cancellation.IsCancellationRequested)
        {
            // Stopped: the driving thread reports the cancellation (or the failure that caused it).
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _fatal, ExceptionDispatchInfo.Capture(e), null);
            _cancellation.Cancel();
            _pump.Wake();
        }
    }

    private void OnDeferredDone(ItemScope scope, Task done)
    {
        if (done.IsCompletedSuccessfully)
        {
            _pump.Post(_ => OnFinished(scope));
        }
        else if (!_cancellation.IsCancellationRequested)
        {
            Interlocked.CompareExchange(ref _fatal, ExceptionDispatchInfo.Capture(done.Exception?.InnerException ?? new OperationCanceledException()), null);
            _cancellation.Cancel();
            _pump.Wake();
        }
    }

    /// <summary>Runs on the driving thread (posted through the pump).</summary>
    private void OnFinished(ItemScope scope)
    {
        _finished++;
        if (scope.Failed)
        {
            _failed++;
        }
        else if (scope.Light)
        {
            _light++;
        }

        _finishedOutOfOrder.Add(scope.Sequence, scope);
        while (_finishedOutOfOrder.Remove(_nextRelease, out var next))
        {
            _nextRelease++;
            next.Release(_host);
        }
    }
}
