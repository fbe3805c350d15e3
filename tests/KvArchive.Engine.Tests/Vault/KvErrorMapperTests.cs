using System.Security.Authentication;
using Azure;
using Azure.Identity;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Vault;

/// <summary>Error answers LocalVault cannot easily produce, mapped from the service's shape directly.</summary>
[Trait("Category", "Unit")]
public sealed class KvErrorMapperTests
{
    private static readonly VaultIdentity Vault = new(new Uri("https://prod.vault.azure.net/"), "prod");

    private static ErrorContext Context(VaultOperation operation, KvObjectType? type = KvObjectType.Secret, string? name = "x", KvCredentialKind kind = KvCredentialKind.Default, CancellationToken token = default)
        => new(Vault, operation, type, name, null, kind, 8, token);

    [Fact]
    public void A_managed_secret_backup_points_at_the_certificate()
    {
        var e = KvErrorMapper.FromService(new ServiceError(403, "Forbidden", null, "Operation backup is not allowed on this Secret, since it is associated with a certificate. Perform this operation on the certificate instead."), null, Context(VaultOperation.Backup));
        Assert.Equal(KvErrorIds.ManagedObject, e.ErrorId);
        Assert.Equal("Secret 'x' in vault 'prod' belongs to a certificate and cannot be backed up on its own; back up the certificate 'x' instead.", e.Message);
    }

    [Fact]
    public void Too_many_versions_is_its_own_error()
    {
        var e = KvErrorMapper.FromService(new ServiceError(400, "BadParameter", null, "Backup is not supported for secrets with more than 500 versions."), null, Context(VaultOperation.Backup));
        Assert.Equal(KvErrorIds.TooManyVersions, e.ErrorId);
        Assert.Equal(KvErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("500 versions", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Being_recovered_asks_to_wait()
    {
        var e = KvErrorMapper.FromService(new ServiceError(409, "Conflict", "ObjectIsBeingRecovered", "Secret x is currently being recovered"), null, Context(VaultOperation.SetSecret));
        Assert.Equal(KvErrorIds.ObjectBeingRecovered, e.ErrorId);
        Assert.Equal(KvNameState.BeingRecovered, VaultOperations.NameStateOf(e));
        Assert.Equal("Secret 'x' in vault 'prod' is being recovered; wait a few seconds and retry.", e.Message);
    }

    [Fact]
    public void A_plain_conflict_says_the_name_exists()
    {
        var e = KvErrorMapper.FromService(new ServiceError(409, "Conflict", null, "Key already exists"), null, Context(VaultOperation.CreateKey, KvObjectType.Key, "k"));
        Assert.Equal(KvErrorIds.ObjectExists, e.ErrorId);
        Assert.StartsWith("A key named 'k' already exists in vault 'prod'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Purge_protection_says_what_happens_instead()
    {
        var e = KvErrorMapper.FromService(new ServiceError(403, "Forbidden", null, "Operation 'purge' is not allowed on secret 'x' because purge protection is enabled for this vault."), null, Context(VaultOperation.Purge));
        Assert.Equal(KvErrorIds.PermissionDenied, e.ErrorId);
        Assert.Contains("purge protection", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unavailable_after_retries_is_a_connection_failure()
    {
        var e = KvErrorMapper.FromService(new ServiceError(503, null, null, null), null, Context(VaultOperation.Get));
        Assert.Equal(KvErrorKind.Connection, e.Kind);
        Assert.Equal(KvErrorIds.VaultUnreachable, e.ErrorId);
        Assert.Contains("4 retries", e.Message, StringComparison.Ordinal); // a server error is retried at most VaultRetryPolicy.DefaultServerErrorRetries times
    }

    [Fact]
    public void Credential_failures_are_unauthenticated_and_carry_the_sign_in_that_failed()
    {
        var unavailable = KvErrorMapper.Map(new CredentialUnavailableException("DefaultAzureCredential failed to retrieve a token from the included credentials."), Context(VaultOperation.List));
        Assert.Equal(KvErrorKind.Unauthenticated, unavailable.Kind);
        Assert.Equal(KvErrorIds.Unauthenticated, unavailable.ErrorId);
        // What to pass is the module's to say (RecommendedAction, from the credential kind); the engine names none.
        Assert.Equal(KvCredentialKind.Default, unavailable.CredentialKind);
        Assert.Contains("default credential chain", unavailable.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("-AccessToken", unavailable.Message, StringComparison.Ordinal);

        var failed = KvErrorMapper.Map(new AuthenticationFailedException("AADSTS7000215: Invalid client secret provided."), Context(VaultOperation.List, kind: KvCredentialKind.ServicePrincipal));
        Assert.Equal(KvErrorKind.Unauthenticated, failed.Kind);
        Assert.Contains("AADSTS7000215", failed.Message, StringComparison.Ordinal);
        Assert.Equal(KvCredentialKind.ServicePrincipal, failed.CredentialKind);
        Assert.DoesNotContain("-Credential", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_untrusted_certificate_is_a_connection_failure_that_says_how_to_trust_localvault()
    {
        var transport = new RequestFailedException(0, "send failed", new HttpRequestException("SSL", new AuthenticationException("The remote certificate is invalid")));
        var e = KvErrorMapper.Map(transport, Context(VaultOperation.List));
        Assert.Equal(KvErrorIds.VaultUnreachable, e.ErrorId);
        Assert.Contains("KVARCHIVE_TRUSTED_CERTIFICATE", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void User_cancellation_is_cancelled_but_a_timeout_is_not()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Equal(KvErrorKind.Cancelled, KvErrorMapper.Map(new OperationCanceledException(cts.Token), Context(VaultOperation.Get, token: cts.Token)).Kind);
        Assert.Equal(KvErrorKind.Connection, KvErrorMapper.Map(new TaskCanceledException("timeout"), Context(VaultOperation.Get)).Kind);
    }

    [Fact]
    public void Service_errors_are_read_from_the_body()
    {
        var error = ServiceError.Parse(409, null);
        Assert.Null(error.Code);
        Assert.Equal(KvErrorIds.Unknown, KvErrorMapper.FromService(new ServiceError(418, "Teapot", null, "short and stout"), null, Context(VaultOperation.Get)).ErrorId);
    }

    [Fact]
    public void Base64url_round_trips_every_length()
    {
        for (var n = 0; n < 40; n++)
        {
            var bytes = Enumerable.Range(0, n).Select(i => (byte)(i * 37 + 250)).ToArray();
            var text = Base64Url.Encode(bytes);
            Assert.DoesNotContain('=', text);
            Assert.DoesNotContain('+', text);
            Assert.DoesNotContain('/', text);
            Assert.Equal(bytes, Base64Url.Decode(text));
        }
    }
}
