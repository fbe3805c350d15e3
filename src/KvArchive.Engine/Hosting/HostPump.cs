using System.Collections.Concurrent;

namespace KvArchive.Engine.Hosting;

/// <summary>
/// Keeps every <see cref="IHostContext"/> call on the thread that drives the engine (the cmdlet's pipeline
/// thread). Workers <see cref="Post"/> host calls, or await <see cref="ShouldProcessAsync"/>; the driving
/// thread runs them in <see cref="Drain"/> / <see cref="RunUntil"/>, in the order they were posted.
/// An exception thrown by a host call (e.g. WriteError under -ErrorAction Stop, or a stopped pipeline)
/// comes out of Drain on the driving thread.
/// </summary>
internal sealed class HostPump
{
    private readonly IHostContext _host;
    private readonly ConcurrentQueue<Action<IHostContext>> _queue = new();
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);

    public HostPump(IHostContext host)
    {
        _host = host;
    }

    /// <summary>Queues a host call; any thread.</summary>
    public void Post(Action<IHostContext> action)
    {
        _queue.Enqueue(action);
        _signal.Release();
    }

    /// <summary>Wakes the driving thread without a host call (e.g. a worker finished).</summary>
    public void Wake() => _signal.Release();

    /// <summary>
    /// Asks the host, on the driving thread, whether a write may go ahead; any thread. Cancelled when
    /// <paramref name="cancellationToken"/> fires before the driving thread gets to it.
    /// </summary>
    public Task<bool> ShouldProcessAsync(string target, string action, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var registration = cancellationToken.Register(() => answer.TrySetCanceled(cancellationToken));
        Post(host =>
        {
            registration.Dispose();
            if (answer.Task.IsCompleted)
            {
                return;
            }

            try
            {
                answer.TrySetResult(host.ShouldProcess(target, action));
            }
            catch (Exception e)
            {
                answer.TrySetException(e);
                throw;
            }
        });
        return answer.Task;
    }

    /// <summary>Runs every queued host call now; the driving thread only. Returns how many ran.</summary>
    public int Drain()
    {
        var count = 0;
        while (_queue.TryDequeue(out var action))
        {
            action(_host);
            count++;
        }

        return count;
    }

    /// <summary>
    /// Drains until <paramref name="done"/> is true, waking at least every <paramref name="tick"/> to call
    /// <paramref name="onTick"/> (progress); the driving thread only. Throws
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public void RunUntil(Func<bool> done, TimeSpan tick, Action? onTick, CancellationToken cancellationToken)
    {
        while (true)
        {
            Drain();
            onTick?.Invoke();
            if (done())
            {
                return;
            }

            cancellationToken.ThrowIfCancellationRequested();
            _signal.Wait(tick, cancellationToken);
        }
    }
}
