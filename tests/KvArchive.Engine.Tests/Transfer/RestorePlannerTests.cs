using KvArchive.Engine.Transfer;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Transfer;

[Trait("Category", "Unit")]
public sealed class RestorePlannerTests
{
    private static readonly RestoreOptions Defaults = new();
    private static readonly RestoreOptions Strict = new() { ExistingPolicy = ExistingObjectPolicy.Fail };
    private static readonly RestoreOptions Purging = new() { SoftDeletedPolicy = SoftDeletedObjectPolicy.Purge };

    [Theory]
    [InlineData(KvNameState.Exists, nameof(RestoreStep.SkipExisting))]
    [InlineData(KvNameState.SoftDeleted, nameof(RestoreStep.FailSoftDeleted))]
    [InlineData(KvNameState.BeingDeleted, nameof(RestoreStep.Wait))]
    [InlineData(KvNameState.BeingRecovered, nameof(RestoreStep.Wait))]
    [InlineData(KvNameState.Free, nameof(RestoreStep.AskRestore))]
    public void By_default_existing_names_are_skipped_and_soft_deleted_ones_fail(KvNameState state, string step)
        => Assert.Equal(step, RestorePlanner.Next(state, Defaults, restoreApproved: false, purgeApproved: false).ToString());

    [Fact]
    public void The_policies_decide_existing_and_soft_deleted_names()
    {
        Assert.Equal(RestoreStep.FailExisting, RestorePlanner.Next(KvNameState.Exists, Strict, false, false));
        Assert.Equal(RestoreStep.AskPurge, RestorePlanner.Next(KvNameState.SoftDeleted, Purging, false, false));
        Assert.Equal(RestoreStep.Purge, RestorePlanner.Next(KvNameState.SoftDeleted, Purging, true, true));
    }

    [Fact]
    public void An_approved_restore_is_not_asked_again()
    {
        Assert.Equal(RestoreStep.Restore, RestorePlanner.Next(KvNameState.Free, Purging, restoreApproved: true, purgeApproved: true));
        Assert.Equal(RestoreStep.Restore, RestorePlanner.Next(KvNameState.Free, Defaults, restoreApproved: true, purgeApproved: false));
    }

    [Fact]
    public void Only_the_asking_steps_have_a_question_and_it_names_the_plan()
    {
        var purge = RestorePlanner.Question(RestoreStep.AskPurge, KvObjectType.Key)!.Value;
        Assert.StartsWith("Purge the soft-deleted key", purge.Action, StringComparison.Ordinal);
        Assert.Equal("soft-deleted: purge, then restore", purge.Plan);
        Assert.Equal("Restore the secret from the archive", RestorePlanner.Question(RestoreStep.AskRestore, KvObjectType.Secret)!.Value.Action);
        Assert.All(Enum.GetValues<RestoreStep>().Where(s => s is not RestoreStep.AskPurge and not RestoreStep.AskRestore), s => Assert.Null(RestorePlanner.Question(s, KvObjectType.Secret)));
    }
}
