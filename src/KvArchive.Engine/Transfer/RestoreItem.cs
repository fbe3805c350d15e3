using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// The restore of one archive entry: read its blob (hash checked), plan from the state of its name in the target
/// (<see cref="RestorePlanner"/>), ask where the plan writes, act (purge, wait, restore), and plan again when the
/// vault's answer shows the name changed. Every outcome goes to <see cref="RestoreOutcomes"/>.
/// </summary>
internal sealed class RestoreItem(VaultCalls calls, VaultHealth health, RestoreOptions options, TimeProvider time, RestoreOutcomes outcomes, CancellationToken runToken)
{
    /// <summary>Plans again at most this often when the restore's 409 shows someone took the name since the plan.</summary>
    private const int MaxReplans = 2;

    private readonly Dictionary<(Uri, KvObjectType), Task<TargetNames?>> _targetNames = [];

    /// <summary>The worker's part of an entry (the runner's work function).</summary>
    public async Task RunAsync(RestoreWork work, ItemScope scope, CancellationToken cancellationToken)
    {
        if (work.Error is not null)
        {
            outcomes.Fail(work, scope, work.Error, writeError: !work.ErrorReported);
            return;
        }

        var item = work.Item!;
        if (!item.HasBlob)
        {
            if (options.PlanOnly)
            {
                scope.MarkLight();
                outcomes.Plan(work, scope, RestorePlan.WouldSkip, $"would skip: no backup in the archive ({item.Status.ToString().ToLowerInvariant()} at backup: {item.Reason ?? "no reason recorded"})");
                return;
            }

            outcomes.Skip(work, scope, $"The archive holds no backup of the {item.Type.Word()} '{item.Name}' ({item.Status.ToString().ToLowerInvariant()} at backup: {item.Reason ?? "no reason recorded"}).");
            return;
        }

        try
        {
            var blob = work.Reader!.ReadBlob(item);
            await ActAsync(work, scope, blob, cancellationToken).ConfigureAwait(false);
            health.Answered(work.Client!);
        }
        catch (KvException e) when (KvFailurePolicy.IsPerObject(e, cancellationToken))
        {
            if (KvFailurePolicy.IsTransient(e))
            {
                // Throws when the vault is gone: the run ends there.
                await health.FailedAsync(work.Client!, work.Type, work.Name, e, cancellationToken).ConfigureAwait(false);
            }
            else if (work.Client is not null)
            {
                health.Answered(work.Client);
            }

            outcomes.Fail(work, scope, e);
        }
    }

    private async Task ActAsync(RestoreWork work, ItemScope scope, byte[] blob, CancellationToken cancellationToken)
    {
        var client = work.Client!;
        var waiting = new StateWait(options, time);
        var restoreApproved = false;
        var purgeApproved = false;
        var replans = 0;
        var purged = false;
        var names = await TargetNamesAsync(work).ConfigureAwait(false);
        while (true)
        {
            // The listing plans the first round; after a wait or a conflict the name is read again, alone.
            var state = names?.StateOf(work.Name)
                ?? await calls.CallAsync(ct => client.GetNameStateAsync(work.Type, work.Name, ct), cancellationToken).ConfigureAwait(false);
            names = null;

            // The record says what was there before the restore acted: after a purge, the name being free is its doing.
            if (!purged)
            {
                work.State = state;
            }

            var step = RestorePlanner.Next(state, options, restoreApproved, purgeApproved);
            if (options.PlanOnly)
            {
                var (future, reason) = RestorePlanner.Future(step, state);
                if (future is RestorePlan.WouldSkip)
                {
                    scope.MarkLight();
                }

                outcomes.Plan(work, scope, future, reason);
                return;
            }

            if (RestorePlanner.Question(step, work.Type) is var (action, plan))
            {
                var target = work.Describe(plan);
                if (!await scope.ShouldProcessAsync(target, action, cancellationToken).ConfigureAwait(false))
                {
                    outcomes.Plan(work, scope, RestorePlan.Declined, $"{action}: {target}");
                    return;
                }

                restoreApproved = true;
                purgeApproved |= step == RestoreStep.AskPurge;
                step = step == RestoreStep.AskPurge ? RestoreStep.Purge : RestoreStep.Restore;
            }

            switch (step)
            {
                case RestoreStep.SkipExisting:
                    outcomes.Skip(work, scope, $"The {work.Type.Word()} '{work.Name}' already exists in {work.TargetVaultUri}; it was left as it is.");
                    return;

                case RestoreStep.FailExisting:
                    outcomes.Fail(work, scope, Conflict(work, KvErrorIds.ObjectExists, "already exists", "Remove or rename it, or restore into another vault."));
                    return;

                case RestoreStep.FailSoftDeleted:
                    outcomes.Fail(work, scope, Conflict(work, KvErrorIds.ObjectSoftDeleted, "is soft-deleted", "Recover it, or purge it and restore again."));
                    return;

                case RestoreStep.Purge:
                    await PurgeAsync(work, scope, cancellationToken).ConfigureAwait(false);
                    purged = true;
                    await waiting.PauseAsync(work, cancellationToken).ConfigureAwait(false);
                    continue;

                case RestoreStep.Wait:
                    await waiting.PauseAsync(work, cancellationToken).ConfigureAwait(false);
                    continue;
            }

            try
            {
                await calls.CallAsync(ct => client.RestoreAsync(work.Type, blob, ct), cancellationToken).ConfigureAwait(false);
                outcomes.Restored(work, scope);
                return;
            }
            catch (KvException e) when (e.ErrorId is KvErrorIds.ObjectBeingDeleted or KvErrorIds.ObjectBeingRecovered
                || (e.ErrorId == KvErrorIds.ObjectSoftDeleted && purgeApproved))
            {
                await waiting.PauseAsync(work, cancellationToken).ConfigureAwait(false);
            }
            catch (KvException e) when (e.ErrorId is KvErrorIds.ObjectExists or KvErrorIds.ObjectSoftDeleted && replans++ < MaxReplans)
            {
                // Someone took the name since the plan: plan again, so the policy decides.
            }
        }
    }

    private async Task PurgeAsync(RestoreWork work, ItemScope scope, CancellationToken cancellationToken)
    {
        try
        {
            scope.WriteVerbose($"Purging the soft-deleted {work.Type.Word()} '{work.Name}' in {work.TargetVaultUri}.");
            await calls.CallAsync(ct => work.Client!.PurgeAsync(work.Type, work.Name, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (KvException e) when (e.Kind is KvErrorKind.NotFound or KvErrorKind.Conflict)
        {
            // Purged meanwhile, or the purge is under way: the caller plans again after a pause.
        }
    }

    /// <summary>The listed names of the entry's type in its target (read once per session), or null to read the name alone.</summary>
    private Task<TargetNames?> TargetNamesAsync(RestoreWork work)
    {
        if (work.ListingLimit <= 0)
        {
            return Task.FromResult<TargetNames?>(null);
        }

        lock (_targetNames)
        {
            var key = (work.TargetVaultUri!, work.Type);
            if (!_targetNames.TryGetValue(key, out var names))
            {
                names = TargetNames.ReadAsync(work.Client!, work.Type, calls, work.ListingLimit, runToken);
                _targetNames[key] = names;
            }

            return names;
        }
    }

    private static KvException Conflict(RestoreWork work, string errorId, string what, string next)
        => new(KvErrorKind.Conflict, errorId, $"The {work.Type.Word()} '{work.Name}' {what} in {work.TargetVaultUri}, so the archived copy was not restored. {next}")
        {
            ObjectType = work.Type,
            ObjectName = work.Name,
        };
}
