using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Vault;

[Trait("Category", "Unit")]
public sealed class KvFailurePolicyTests
{
    [Theory]
    [InlineData(KvErrorKind.Unauthenticated, KvErrorIds.Unauthenticated, true)]
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
    public void A_connection_failure_stays_with_its_object_unless_the_certificate_is_untrusted()
    {
        var reset = new KvException(KvErrorKind.Connection, KvErrorIds.VaultUnreachable, "x");
        Assert.False(KvFailurePolicy.IsFatal(reset));
        Assert.True(KvFailurePolicy.IsTransient(reset));
        Assert.True(KvFailurePolicy.IsPerObject(reset, CancellationToken.None));
        Assert.True(KvFailurePolicy.EndsCommand(reset));

        var untrusted = new KvException(KvErrorKind.Connection, KvErrorIds.VaultUnreachable, "x") { UntrustedCertificate = true };
        Assert.True(KvFailurePolicy.IsFatal(untrusted));
        Assert.False(KvFailurePolicy.IsTransient(untrusted));

        var internalError = new KvException(KvErrorKind.Unknown, KvErrorIds.Unknown, "x") { Status = 500 };
        Assert.True(KvFailurePolicy.IsTransient(internalError));
        Assert.False(KvFailurePolicy.IsFatal(internalError));

        var refused = new KvException(KvErrorKind.PermissionDenied, KvErrorIds.PermissionDenied, "x");
        Assert.False(KvFailurePolicy.IsTransient(refused));
        Assert.False(KvFailurePolicy.EndsCommand(refused));
    }

    [Fact]
    public void A_cancellation_is_never_an_object_failure()
    {
        Assert.False(KvFailurePolicy.IsPerObject(new KvException(KvErrorKind.Cancelled, KvErrorIds.Cancelled, "x"), CancellationToken.None));
        Assert.False(KvFailurePolicy.IsPerObject(new KvException(KvErrorKind.NotFound, KvErrorIds.ObjectNotFound, "x"), new CancellationToken(canceled: true)));
    }
}
