using KvArchive.Engine.Hosting;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// What a worker may tell the host about one item. Records, warnings and errors are held back and released
/// on the driving thread in input order once the item (and every item before it) is done; verbose and debug
/// messages and ShouldProcess go through at once. One worker uses a scope at a time.
/// </summary>
internal sealed class ItemScope
{
    private readonly HostPump _pump;
    private readonly List<Action<IHostContext>> _held = [];

    public ItemScope(HostPump pump, long sequence)
    {
        _pump = pump;
        Sequence = sequence;
    }

    /// <summary>The item's position in the input.</summary>
    public long Sequence { get; }

    /// <summary>True once an error was written for the item.</summary>
    public bool Failed { get; private set; }

    /// <summary>True when the item ended without work worth timing (skipped): progress leaves it out of the rate.</summary>
    public bool Light { get; private set; }

    /// <summary>Work that finishes the item after its worker moved on (see <see cref="Defer"/>), or null.</summary>
    public Task? Deferred { get; private set; }

    /// <summary>
    /// Hands the rest of the item to <paramref name="completion"/>: the worker takes the next item, and the item
    /// counts as finished (its output released) when the task completes. The task owns the scope from then on.
    /// </summary>
    public void Defer(Task completion) => Deferred = completion;

    /// <summary>Marks the item as one that took no real work (see <see cref="Light"/>).</summary>
    public void MarkLight() => Light = true;

    public void WriteObject(object record) => _held.Add(host => host.WriteObject(record));

    public void WriteError(KvError error)
    {
        Failed = true;
        _held.Add(host => host.WriteError(error));
    }

    public void WriteWarning(string message) => _held.Add(host => host.WriteWarning(message));

    public void WriteVerbose(string message) => _pump.Post(host => host.WriteVerbose(message));

    public void WriteDebug(string message) => _pump.Post(host => host.WriteDebug(message));

    public Task<bool> ShouldProcessAsync(string target, string action, CancellationToken cancellationToken)
        => _pump.ShouldProcessAsync(target, action, cancellationToken);

    /// <summary>Runs the held host calls; the driving thread only.</summary>
    public void Release(IHostContext host)
    {
        foreach (var call in _held)
        {
            call(host);
        }

        _held.Clear();
    }
}
