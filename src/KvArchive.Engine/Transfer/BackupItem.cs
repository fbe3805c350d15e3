using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// The backup of one object: take it (versions, then the service's backup), finish it (check it did not change
/// meanwhile, take it again if it did), or hand the finish to the listing check and finish later. Every outcome
/// goes to <see cref="BackupOutcomes"/>; a failure of this object alone fails it, anything else ends the run.
/// </summary>
internal sealed class BackupItem(VaultCalls calls, TimeProvider time, BackupOutcomes outcomes, int throttleLimit)
{
    /// <summary>Margin for the service's own clocks (the Date header and the object's times may come from different machines).</summary>
    private static readonly TimeSpan ClockSlack = TimeSpan.FromSeconds(2);

    /// <summary>Vault calls of objects finished later take a slot, so at most the throttle limit run at once.</summary>
    private readonly SemaphoreSlim _slots = new(throttleLimit);

    /// <summary>The worker's part of an object (the runner's work function).</summary>
    public async Task RunAsync(BackupWork work, ItemScope scope, CancellationToken cancellationToken)
    {
        if (work.ReportOnly)
        {
            outcomes.NotListed(work, scope, work.Error!);
            return;
        }

        if (work.Error is not null)
        {
            outcomes.Fail(work, scope, work.Error, versions: null);
            return;
        }

        if (work.Duplicate)
        {
            outcomes.SkipDuplicate(work, scope);
            return;
        }

        if (work.Listed?.Managed == true)
        {
            outcomes.SkipManaged(work, scope);
            return;
        }

        if (work.DeletedFrom is { } gone)
        {
            outcomes.Deleted(work, scope, gone, work.Base!.Path);
            return;
        }

        if (work.CopyFrom is { } copy)
        {
            // Nothing is copied before the whole base checked out; a damaged base ends the run (this throws).
            await work.Base!.WhenVerifiedAsync(cancellationToken).ConfigureAwait(false);
            byte[]? blob = null;
            try
            {
                blob = work.Base.Reader.ReadBlob(copy);
            }
            catch (KvException e) when (e.ErrorId == KvErrorIds.ArchiveEntryInvalid)
            {
                // Verified when the base was opened; damaged since: back it up from the vault instead.
                scope.WriteVerbose($"The base archive's entry for the {work.Type.Word()} '{work.Name}' cannot be read now ({e.Message}); backing it up instead.");
            }

            if (blob is not null)
            {
                outcomes.Copy(work, scope, copy, blob);
                return;
            }
        }

        if (work.FromListing || work.CopyFrom is not null)
        {
            await OneObjectAsync(work, scope, () => null, cancellationToken, async () =>
            {
                var takenOn = time.GetUtcNow();
                var blob = await calls.CallAsync(ct => work.Client!.BackupAsync(work.Type, work.Name, ct), cancellationToken).ConfigureAwait(false);
                outcomes.SaveListed(work, scope, blob, takenOn);
            }).ConfigureAwait(false);
            return;
        }

        TakenBackup? taken = null;
        var waiting = false;
        try
        {
            await OneObjectAsync(work, scope, () => taken?.Versions, cancellationToken, async () =>
            {
                taken = await TakeAsync(work, scope, cancellationToken).ConfigureAwait(false);
                if (taken is null)
                {
                    return;
                }

                if (taken.Unambiguous && work.Check is { } check)
                {
                    // The worker moves on; the item finishes when the listing has seen the object after its backup.
                    waiting = true;
                    var observed = check.WaitAsync(work.Name, taken.AnsweredAt);
                    scope.Defer(FinishLaterAsync(work, scope, taken, observed, cancellationToken));
                    return;
                }

                await FinishAsync(work, scope, taken, null, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        finally
        {
            if (!waiting)
            {
                work.Check?.Forget();
            }
        }
    }

    /// <summary>Lists the versions and takes the backup. Null when that ended the object (managed, too many versions).</summary>
    private async Task<TakenBackup?> TakeAsync(BackupWork work, ItemScope scope, CancellationToken cancellationToken)
    {
        var client = work.Client!;
        var serverClock = calls.Limiter.LatestServerDate;
        var versions = await calls.ListVersionsAsync(client, work.Type, work.Name, ArchiveFormat.MaxVersions, cancellationToken).ConfigureAwait(false);
        if (versions.Exists(v => v.Managed))
        {
            outcomes.SkipManaged(work, scope);
            return null;
        }

        if (versions.Count > ArchiveFormat.MaxVersions)
        {
            outcomes.Fail(work, scope, TooManyVersions(work), versions);
            return null;
        }

        var takenOn = time.GetUtcNow();
        var blob = await calls.CallAsync(ct => client.BackupAsync(work.Type, work.Name, ct), cancellationToken).ConfigureAwait(false);

        // A listing compares the current version's times, in whole seconds: a change in the very second the
        // current version was last updated would look the same. Only when that second was over before the
        // versions were listed (by the service's own clock) can a listing tell.
        var current = ArchiveMapping.Current(versions);
        var unambiguous = serverClock is { } clock && current?.UpdatedOn is { } updated && updated < clock - ClockSlack;
        return new TakenBackup(versions, blob, takenOn, time.GetTimestamp(), unambiguous);
    }

    /// <summary>Finishes an object whose listing check is pending, off the worker; vault calls take a slot.</summary>
    private async Task FinishLaterAsync(BackupWork work, ItemScope scope, TakenBackup taken, Task<KvObject?> observed, CancellationToken cancellationToken)
    {
        var listed = await observed.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (listed is not null && ArchiveMapping.SameAsListed(ArchiveMapping.Current(taken.Versions)!, listed))
        {
            outcomes.Save(work, scope, taken.Versions, taken.Blob, taken.TakenOn, changed: false, null);
            return;
        }

        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await OneObjectAsync(work, scope, () => taken.Versions, cancellationToken, () => FinishAsync(work, scope, taken, listed, cancellationToken)).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>
    /// Checks that the object did not change during its backup — from a listing item read after the backup, else
    /// by listing its versions again — and saves it. If it changed, backs it up once more; if it changed again,
    /// saves that copy as <see cref="BackupStatus.Changed"/> with a warning.
    /// </summary>
    private async Task FinishAsync(BackupWork work, ItemScope scope, TakenBackup taken, KvObject? listed, CancellationToken cancellationToken)
    {
        var client = work.Client!;
        if (listed is null)
        {
            var after = await calls.ListVersionsAsync(client, work.Type, work.Name, ArchiveFormat.MaxVersions, cancellationToken).ConfigureAwait(false);
            if (ArchiveMapping.SameVersions(taken.Versions, after))
            {
                outcomes.Save(work, scope, after, taken.Blob, taken.TakenOn, changed: false, null);
                return;
            }
        }

        scope.WriteVerbose($"The {work.Type.Word()} '{work.Name}' changed while it was backed up; backing it up again.");
        var again = await TakeAsync(work, scope, cancellationToken).ConfigureAwait(false);
        if (again is null)
        {
            return;
        }

        var last = await calls.ListVersionsAsync(client, work.Type, work.Name, ArchiveFormat.MaxVersions, cancellationToken).ConfigureAwait(false);
        if (ArchiveMapping.SameVersions(again.Versions, last))
        {
            outcomes.Save(work, scope, last, again.Blob, again.TakenOn, changed: false, null);
            return;
        }

        var reason = $"The {work.Type.Word()} '{work.Name}' changed while it was backed up, twice; the archive holds the copy taken at {again.TakenOn:u}, which may miss the latest change. Back it up again later.";
        scope.WriteWarning(reason);
        outcomes.Save(work, scope, again.Versions, again.Blob, again.TakenOn, changed: true, reason);
    }

    /// <summary>
    /// Runs vault work of one object: the service refusing a certificate's own key or secret skips it; a failure
    /// of this object alone (<see cref="KvFailurePolicy.IsPerObject"/>) fails it; anything else ends the run.
    /// </summary>
    private async Task OneObjectAsync(BackupWork work, ItemScope scope, Func<List<KvObject>?> versions, CancellationToken cancellationToken, Func<Task> body)
    {
        try
        {
            await body().ConfigureAwait(false);
        }
        catch (KvException e) when (e.ErrorId == KvErrorIds.ManagedObject)
        {
            outcomes.SkipManaged(work, scope);
        }
        catch (KvException e) when (KvFailurePolicy.IsPerObject(e, cancellationToken))
        {
            outcomes.Fail(work, scope, e, versions());
        }
    }

    private static KvException TooManyVersions(BackupWork work) => new(
        KvErrorKind.InvalidArgument,
        KvErrorIds.TooManyVersions,
        $"The {work.Type.Word()} '{work.Name}' in vault {work.VaultUri} has more than {ArchiveFormat.MaxVersions} versions; Key Vault backs up at most {ArchiveFormat.MaxVersions}. It was not backed up; the other objects were.")
    {
        ObjectType = work.Type,
        ObjectName = work.Name,
    };
}
