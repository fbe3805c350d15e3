using Azure.Core.Pipeline;
using Azure.Identity;
using KvArchive.Engine.Connection;
using KvArchive.Engine.Tests.Vault.Infrastructure;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Connection;

[Trait("Category", "Unit")]
public sealed class CredentialFactoryTests
{
    private static readonly HttpPipelineTransport Transport = new HttpClientTransport(new HttpClient());
    private static readonly Uri Vault = new("https://prod.vault.azure.net/");

    [Theory]
    [InlineData(KvCredentialKind.Default, typeof(DefaultAzureCredential))]
    [InlineData(KvCredentialKind.ManagedIdentity, typeof(ManagedIdentityCredential))]
    [InlineData(KvCredentialKind.AzureCli, typeof(AzureCliCredential))]
    [InlineData(KvCredentialKind.AzurePowerShell, typeof(AzurePowerShellCredential))]
    public void Each_kind_maps_to_its_azure_identity_credential(KvCredentialKind kind, Type expected)
        => Assert.IsType(expected, CredentialFactory.Create(new VaultConnectionOptions { VaultUri = Vault, CredentialKind = kind, ManagedIdentityClientId = "mi" }, Transport));

    [Fact]
    public void A_service_principal_is_a_client_secret_credential()
    {
        var credential = CredentialFactory.Create(new VaultConnectionOptions
        {
            VaultUri = Vault,
            CredentialKind = KvCredentialKind.ServicePrincipal,
            TenantId = "72f988bf-86f1-41af-91ab-2d7cd011db47",
            ClientId = "00000000-0000-0000-0000-000000000001",
            ClientSecret = VaultFixture.Secure("s3cret"),
        }, Transport);
        Assert.IsType<ClientSecretCredential>(credential);
    }

    [Fact]
    public async Task An_access_token_is_sent_as_given()
    {
        var credential = CredentialFactory.Create(new VaultConnectionOptions { VaultUri = Vault, CredentialKind = KvCredentialKind.AccessToken, AccessToken = VaultFixture.Secure("abc.def") }, Transport);
        var token = await credential.GetTokenAsync(new Azure.Core.TokenRequestContext(["https://vault.azure.net/.default"]), default);
        Assert.Equal("abc.def", token.Token);
        Assert.True(token.ExpiresOn > DateTimeOffset.UtcNow);
    }

    [Theory]
    [InlineData(KvCredentialKind.AccessToken, "needs a token")]
    [InlineData(KvCredentialKind.ServicePrincipal, "needs its tenant id")]
    public void Missing_credential_parts_are_named(KvCredentialKind kind, string missing)
    {
        // The part that is missing, and the sign-in as a fact: the module words which parameter gives it.
        var e = Assert.Throws<KvException>(() => CredentialFactory.Create(new VaultConnectionOptions { VaultUri = Vault, CredentialKind = kind }, Transport));
        Assert.Equal(KvErrorKind.Unauthenticated, e.Kind);
        Assert.Equal(KvErrorIds.Unauthenticated, e.ErrorId);
        Assert.Equal(kind, e.CredentialKind);
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_service_principal_without_a_secret_says_what_is_missing()
    {
        var e = Assert.Throws<KvException>(() => CredentialFactory.Create(new VaultConnectionOptions
        {
            VaultUri = Vault,
            CredentialKind = KvCredentialKind.ServicePrincipal,
            TenantId = "t",
            ClientId = "c",
        }, Transport));
        Assert.Equal(KvErrorIds.Unauthenticated, e.ErrorId);
        Assert.Equal(KvCredentialKind.ServicePrincipal, e.CredentialKind);
        Assert.Contains("client secret", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("-Credential", e.Message, StringComparison.Ordinal);
    }
}
