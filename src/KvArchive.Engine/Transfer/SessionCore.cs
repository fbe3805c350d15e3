using System.Diagnostics;
using System.Runtime.ExceptionServices;
using KvArchive.Engine.Hosting;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// The skeleton every transfer session shares: the runner (workers, pump, progress, cancellation), the rate and
/// the vault calls, the borrowed clients, the guard that turns a stop or a fatal failure into the end of the run,
/// and the session's lifecycle (added → completed or abandoned → disposed). A session adds what it is about: its
/// items, their algorithm and their output. Nothing here prompts or touches a file.
/// </summary>
internal sealed class SessionCore<TWork> : IDisposable
{
    private readonly TransferRunner<TWork> _runner;
    private readonly VaultClients _clients;
    private readonly bool _ownsClients;
    private readonly Func<KvException, KvException> _stopped;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private bool _completed;
    private bool _disposed;

    /// <param name="host">The driving thread's host.</param>
    /// <param name="throttleLimit">Items worked on at once.</param>
    /// <param name="activity">The progress activity.</param>
    /// <param name="expected">Items expected, when known.</param>
    /// <param name="limiter">The rate every vault call waits for (the observer of <paramref name="clients"/>).</param>
    /// <param name="clients">The vault clients; disposed here only when <paramref name="ownsClients"/>.</param>
    /// <param name="ownsClients">Whether the session made the clients (else it borrows the command's).</param>
    /// <param name="time">The clock.</param>
    /// <param name="work">One item's algorithm, on a worker.</param>
    /// <param name="stopped">The error a stop ends the run with (it says what was left behind).</param>
    /// <param name="holdErrors">Hold the errors back until <see cref="SessionHost.ReleaseErrors"/> (a plan).</param>
    public SessionCore(
        IHostContext host,
        int throttleLimit,
        string activity,
        int? expected,
        AdaptiveRateLimiter limiter,
        VaultClients clients,
        bool ownsClients,
        TimeProvider time,
        Func<TWork, ItemScope, CancellationToken, Task> work,
        Func<KvException, KvException> stopped,
        bool holdErrors = false)
    {
        Host = new SessionHost(host, holdErrors);
        Limiter = limiter;
        Calls = new VaultCalls(limiter);
        Health = new VaultHealth(Calls);
        Time = time;
        _clients = clients;
        _ownsClients = ownsClients;
        _stopped = stopped;
        _runner = new TransferRunner<TWork>(Host, TransferDefaults.CheckThrottleLimit(throttleLimit), new TransferProgress(activity, expected, limiter, time), work);
    }

    /// <summary>The host every call of the run goes through (it counts the errors, and holds them for a plan).</summary>
    public SessionHost Host { get; }

    public AdaptiveRateLimiter Limiter { get; }

    public VaultCalls Calls { get; }

    /// <summary>The stop rule of <see cref="KvFailurePolicy"/>: items report transient failures and answers here.</summary>
    public VaultHealth Health { get; }

    public TimeProvider Time { get; }

    /// <summary>Cancelled when the host cancels or the run fails.</summary>
    public CancellationToken Token => _runner.Token;

    /// <summary>Since the session started.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>The one vault of a session started with one client, else null.</summary>
    public IVaultClient? SingleClient => _clients.Single;

    /// <summary>Called when the run is abandoned (a stop, a fatal failure): e.g. to delete a temporary file.</summary>
    public Action? OnAbandon { get; init; }

    /// <summary>Called on disposal once the workers have stopped, before the clients are disposed.</summary>
    public Action? OnDispose { get; init; }

    /// <summary>
    /// The client of a vault for one item: a failure that concerns this item only comes back as its error; a
    /// fatal one ends the run.
    /// </summary>
    public (IVaultClient? Client, KvException? Error) ClientFor(Uri vaultUri)
    {
        try
        {
            return (_clients.Get(vaultUri), null);
        }
        catch (KvException e) when (!KvFailurePolicy.IsFatal(e))
        {
            return (null, e);
        }
        catch (KvException)
        {
            Abandon();
            throw;
        }
    }

    /// <summary>The client of a vault the whole run needs (a listing): any failure ends the run.</summary>
    public IVaultClient RequireClient(Uri vaultUri) => Guard(() => _clients.Get(vaultUri));

    /// <summary>Raises the count of items known to be coming (percent and time left); the driving thread only.</summary>
    public void Expect(int count) => _runner.Expect(count);

    /// <summary>Queues an item; the driving thread only.</summary>
    public void Add(TWork work)
    {
        ThrowIfDisposed();
        Guard(() => _runner.Add(work));
    }

    /// <summary>
    /// Waits on the driving thread for work it needs (a listing's next page), draining host calls. A failure that
    /// <paramref name="itemFailure"/> accepts is thrown as it is and the run goes on; any other ends the run. A
    /// transient one always does: a listing that fails after the client's retries is the probe failing.
    /// </summary>
    public T Await<T>(Func<CancellationToken, Task<T>> work, Func<KvException, bool>? itemFailure = null)
    {
        ExceptionDispatchInfo? kept = null;
        var result = Guard(() =>
        {
            try
            {
                return _runner.Await(work);
            }
            catch (KvException e) when (itemFailure is not null && KvFailurePolicy.IsPerObject(e, _runner.Token) && !KvFailurePolicy.IsTransient(e) && itemFailure(e))
            {
                kept = ExceptionDispatchInfo.Capture(e);
                return default!;
            }
        });
        kept?.Throw();
        return result;
    }

    /// <summary>Waits for every item, then runs <paramref name="then"/> (e.g. committing the archive) under the guard.</summary>
    public void Complete(Action? then = null)
    {
        ThrowIfDisposed();
        Guard(() =>
        {
            _runner.Complete();
            then?.Invoke();
        });
        _completed = true;
    }

    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed || _completed, this);

    /// <summary>Runs driving-thread work; a stop or any failure abandons the run and is thrown (a stop as <c>stopped</c>).</summary>
    public void Guard(Action action) => Guard(() =>
    {
        action();
        return true;
    });

    /// <inheritdoc cref="Guard(Action)"/>
    public T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (KvException e) when (e.Kind == KvErrorKind.Cancelled)
        {
            Abandon();
            throw _stopped(e);
        }
        catch
        {
            Abandon();
            throw;
        }
    }

    /// <summary>Ends a run that cannot go on: stops the workers, then the session's own clean-up.</summary>
    public void Abandon()
    {
        _runner.Abort();
        OnAbandon?.Invoke();
    }

    /// <summary>Stops any work still running; disposes the clients only when the session made them.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _runner.Dispose();
        OnDispose?.Invoke();
        if (_ownsClients)
        {
            _clients.Dispose();
        }
    }
}
