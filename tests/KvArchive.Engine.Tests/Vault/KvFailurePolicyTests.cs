using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Vault;

[Trait("Category", "Unit")]
public sealed class KvFailurePolicyTests
{
    [Theory]
    [InlineData(KvErrorKind.Unauthenticated, KvErrorIds.Unauthenticated, true)]
    [InlineData(KvErrorKind.Connection, KvErrorIds.VaultUnreachable, true)]
    [InlineData(KvErrorKind.InvalidArgument, KvErrorIds.InvalidVault, true)]
    [InlineData(KvErrorKind.PermissionDenied, KvErrorIds.PermissionDenied, false)]
    [InlineData(KvErrorKind.NotFound, KvErrorIds.ObjectNotFound, false)]
    [InlineData(KvErrorKind.Throttled, KvErrorIds.Throttled, false)]
    public void Fatal_failures_concern_the_vault_or_the_credential(KvErrorKind kind, string id, bool fatal)
    {
        var e = new KvException(kind, id, "x");
        Assert.Equal(fatal, KvFailurePolicy.IsFatal(e));
        Assert.Equal(!fatal, KvFailurePolicy.IsPerObject(e, CancellationToken.None));
    }

    [Fact]
    public void A_cancellation_is_never_an_object_failure()
    {
        Assert.False(KvFailurePolicy.IsPerObject(new KvException(KvErrorKind.Cancelled, KvErrorIds.Cancelled, "x"), CancellationToken.None));
        Assert.False(KvFailurePolicy.IsPerObject(new KvException(KvErrorKind.NotFound, KvErrorIds.ObjectNotFound, "x"), new CancellationToken(canceled: true)));
    }
}
