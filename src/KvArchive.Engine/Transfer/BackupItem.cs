using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// The backup of one object: take it (the service's backup, after its versions only when they are asked for or no
/// listing item records it), finish it (check it did not change meanwhile, take it again if it did), or hand the
/// finish to the listing check and finish later. Every outcome
/// goes to <see cref="BackupOutcomes"/>; a failure of this object alone fails it, anything else ends the run.
/// </summary>
internal sealed class BackupItem(VaultCalls calls, VaultHealth health, TimeProvider time, BackupOutcomes outcomes, int throttleLimit, bool recordVersions)
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
                taken = await TakeAsync(work, scope, recordVersions, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Takes the backup: of an object whose listing item records it unambiguously, with one request (the backup);
    /// else after listing its versions. Null when that ended the object (managed, too many versions).
    /// </summary>
    private async Task<TakenBackup?> TakeAsync(BackupWork work, ItemScope scope, bool listVersions, CancellationToken cancellationToken)
    {
        var client = work.Client!;

        // A listing compares the current version's times, in whole seconds: a change in the very second the
        // current version was last updated would look the same. Only when that second was over before the item
        // was listed (by the service's own clock) can a later listing tell.
        if (!listVersions && work.Listed is { Version: null, ListedAt: { } listedAt } listed && listed.UpdatedOn is { } listedUpdate && listedUpdate < listedAt - ClockSlack)
        {
            var listedTakenOn = time.GetUtcNow();
            var listedBlob = await calls.CallAsync(ct => client.BackupAsync(work.Type, work.Name, ct), cancellationToken).ConfigureAwait(false);
            return new TakenBackup(null, listed, listedBlob, listedTakenOn, time.GetTimestamp(), Unambiguous: true);
        }

        var serverClock = calls.Limiter.LatestServerDate;
        var versions = await calls.ListVersionsAsync(client, work.Type, work.Name, ArchiveFormat.MaxVersions, cancellationToken).ConfigureAwait(false);
        if (versions.Exists(v => v.Managed))
        {
            outcomes.SkipManaged(work, scope);
            return null;
        }

        if (versions.Count > ArchiveFormat.MaxVersions)
        {
            var counted = await CountVersionsAsync(work, cancellationToken).ConfigureAwait(false);
            outcomes.Fail(work, scope, TooManyVersions(work, counted?.Count ?? versions.Count), counted ?? versions);
            return null;
        }

        var takenOn = time.GetUtcNow();
        var blob = await calls.CallAsync(ct => client.BackupAsync(work.Type, work.Name, ct), cancellationToken).ConfigureAwait(false);
        var current = ArchiveMapping.Current(versions);
        var unambiguous = serverClock is { } clock && current?.UpdatedOn is { } updated && updated < clock - ClockSlack;
        return new TakenBackup(versions, current, blob, takenOn, time.GetTimestamp(), unambiguous);
    }

    /// <summary>Finishes an object whose listing check is pending, off the worker; vault calls take a slot.</summary>
    private async Task FinishLaterAsync(BackupWork work, ItemScope scope, TakenBackup taken, Task<KvObject?> observed, CancellationToken cancellationToken)
    {
        var listed = await observed.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (listed is not null && taken.Current is not null && ArchiveMapping.SameAsListed(taken.Current, listed))
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
    /// by listing its versions (again) — and saves it. If it changed, backs it up once more with its versions; if it
    /// changed again, saves that copy as <see cref="BackupStatus.Changed"/> with a warning.
    /// </summary>
    private async Task FinishAsync(BackupWork work, ItemScope scope, TakenBackup taken, KvObject? listed, CancellationToken cancellationToken)
    {
        var client = work.Client!;
        if (listed is null)
        {
            var after = await calls.ListVersionsAsync(client, work.Type, work.Name, ArchiveFormat.MaxVersions, cancellationToken).ConfigureAwait(false);
            var same = taken.Versions is { } before
                ? ArchiveMapping.SameVersions(before, after)
                : taken.Current is not null && after.Count <= ArchiveFormat.MaxVersions && ArchiveMapping.Current(after) is { } now && ArchiveMapping.SameAsListed(taken.Current, now);
            if (same)
            {
                outcomes.Save(work, scope, after, taken.Blob, taken.TakenOn, changed: false, null);
                return;
            }
        }

        scope.WriteVerbose($"The {work.Type.Word()} '{work.Name}' changed while it was backed up; backing it up again.");
        var again = await TakeAsync(work, scope, listVersions: true, cancellationToken).ConfigureAwait(false);
        if (again is null)
        {
            return;
        }

        var last = await calls.ListVersionsAsync(client, work.Type, work.Name, ArchiveFormat.MaxVersions, cancellationToken).ConfigureAwait(false);
        if (ArchiveMapping.SameVersions(again.Versions!, last))
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
    /// of this object alone (<see cref="KvFailurePolicy.IsPerObject"/>) fails it, a transient one once the session's
    /// <see cref="VaultHealth"/> has judged the vault still there; anything else ends the run.
    /// </summary>
    private async Task OneObjectAsync(BackupWork work, ItemScope scope, Func<List<KvObject>?> versions, CancellationToken cancellationToken, Func<Task> body)
    {
        try
        {
            await body().ConfigureAwait(false);
            health.Answered(work.Client!);
        }
        catch (KvException e) when (e.ErrorId == KvErrorIds.ManagedObject)
        {
            health.Answered(work.Client!);
            outcomes.SkipManaged(work, scope);
        }
        catch (KvException e) when (e.ErrorId == KvErrorIds.TooManyVersions && versions() is null && KvFailurePolicy.IsPerObject(e, cancellationToken))
        {
            // Refused for its versions: count them (only now), so the report says how many.
            health.Answered(work.Client!);
            var counted = await CountVersionsAsync(work, cancellationToken).ConfigureAwait(false);
            outcomes.Fail(work, scope, counted is null ? e : TooManyVersions(work, counted.Count, e), counted);
        }
        catch (KvException e) when (KvFailurePolicy.IsPerObject(e, cancellationToken))
        {
            if (KvFailurePolicy.IsTransient(e))
            {
                // Throws when the vault is gone: the run ends there.
                await health.FailedAsync(work.Client!, work.Type, work.Name, e, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                health.Answered(work.Client!);
            }

            outcomes.Fail(work, scope, e, versions());
        }
    }

    /// <summary>Every version of an object that has too many to back up, for the report; null when they cannot be listed.</summary>
    private async Task<List<KvObject>?> CountVersionsAsync(BackupWork work, CancellationToken cancellationToken)
    {
        try
        {
            return await calls.ListVersionsAsync(work.Client!, work.Type, work.Name, MaxCounted, cancellationToken).ConfigureAwait(false);
        }
        catch (KvException e) when (KvFailurePolicy.IsPerObject(e, cancellationToken) && !KvFailurePolicy.IsTransient(e))
        {
            // The count is a courtesy: without it the refusal is the reason.
            return null;
        }
    }

    /// <summary>Versions counted at most when the service refused a backup for its versions.</summary>
    private const int MaxCounted = 100_000;

    private static KvException TooManyVersions(BackupWork work, int count, KvException? refusal = null) => new(
        KvErrorKind.InvalidArgument,
        KvErrorIds.TooManyVersions,
        $"The {work.Type.Word()} '{work.Name}' in vault {work.VaultUri} has {(count > MaxCounted ? $"more than {MaxCounted}" : count.ToString(System.Globalization.CultureInfo.InvariantCulture))} versions; Key Vault backs up at most {ArchiveFormat.MaxVersions}. It was not backed up; the other objects were.",
        refusal)
    {
        ObjectType = work.Type,
        ObjectName = work.Name,
        Status = refusal?.Status,
    };
}
