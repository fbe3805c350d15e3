using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// The plan of a restore entry: from the state of its name in the target, the policies and what was approved so
/// far, the next step. Pure: no vault, no host.
/// </summary>
internal static class RestorePlanner
{
    public static RestoreStep Next(KvNameState state, RestoreOptions options, bool restoreApproved, bool purgeApproved) => state switch
    {
        KvNameState.Exists when options.ExistingPolicy == ExistingObjectPolicy.Skip => RestoreStep.SkipExisting,
        KvNameState.Exists => RestoreStep.FailExisting,
        KvNameState.SoftDeleted when purgeApproved => RestoreStep.Purge,
        KvNameState.SoftDeleted when options.SoftDeletedPolicy == SoftDeletedObjectPolicy.Fail => RestoreStep.FailSoftDeleted,
        KvNameState.SoftDeleted => RestoreStep.AskPurge,
        KvNameState.BeingDeleted or KvNameState.BeingRecovered => RestoreStep.Wait,
        _ when restoreApproved => RestoreStep.Restore,
        _ => RestoreStep.AskRestore,
    };

    /// <summary>What ShouldProcess is asked before the step (action, plan in the target), or null when nothing is asked.</summary>
    public static (string Action, string Plan)? Question(RestoreStep step, KvObjectType type) => step switch
    {
        RestoreStep.AskPurge => ($"Purge the soft-deleted {type.Word()} (for good), then restore it from the archive", "soft-deleted: purge, then restore"),
        RestoreStep.AskRestore => ($"Restore the {type.Word()} from the archive", "name is free: restore"),
        _ => null,
    };

    /// <summary>What a step would do, said as a plan (-WhatIf): the kind of plan and its words, in the future tense.</summary>
    public static (RestorePlan Plan, string Reason) Future(RestoreStep step, KvNameState state) => step switch
    {
        RestoreStep.SkipExisting => (RestorePlan.WouldSkip, "would skip: exists"),
        RestoreStep.FailExisting => (RestorePlan.WouldFail, "would fail: exists"),
        RestoreStep.FailSoftDeleted => (RestorePlan.WouldFail, "would fail: soft-deleted"),
        RestoreStep.AskPurge or RestoreStep.Purge => (RestorePlan.WouldPurgeAndRestore, "would purge, then restore"),
        RestoreStep.Wait => (RestorePlan.WouldWait, state == KvNameState.BeingRecovered
            ? "would wait: being recovered"
            : "would wait: being deleted"),
        _ => (RestorePlan.WouldRestore, "would restore"),
    };
}
