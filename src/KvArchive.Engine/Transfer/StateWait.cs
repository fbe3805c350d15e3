using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>Bounded backoff while a name's state settles (being deleted, purged or recovered), for one entry.</summary>
internal sealed class StateWait(RestoreOptions options, TimeProvider time)
{
    private static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(5);
    private readonly long _started = time.GetTimestamp();
    private TimeSpan _delay = options.StateWaitInitialDelay;

    /// <exception cref="KvException">The name was still busy after <see cref="RestoreOptions.StateWaitTimeout"/>
    /// (<see cref="KvErrorIds.ObjectBeingDeleted"/>).</exception>
    public async Task PauseAsync(RestoreWork work, CancellationToken cancellationToken)
    {
        if (time.GetElapsedTime(_started) + _delay > options.StateWaitTimeout)
        {
            throw new KvException(KvErrorKind.Conflict, KvErrorIds.ObjectBeingDeleted, $"The name of the {work.Type.Word()} '{work.Name}' in {work.TargetVaultUri} was still being deleted, purged or recovered after {options.StateWaitTimeout.TotalSeconds:0} seconds, so the archived copy was not restored. Restore it again later.")
            {
                ObjectType = work.Type,
                ObjectName = work.Name,
            };
        }

        await Task.Delay(_delay, time, cancellationToken).ConfigureAwait(false);
        _delay = TimeSpan.FromTicks(Math.Min(_delay.Ticks * 2, MaxPause.Ticks));
    }
}
