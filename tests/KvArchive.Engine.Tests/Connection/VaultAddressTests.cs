using KvArchive.Engine.Connection;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Connection;

[Trait("Category", "Unit")]
public sealed class VaultAddressTests
{
    [Theory]
    [InlineData("prod", "https://prod.vault.azure.net/")]
    [InlineData("My-Vault-01", "https://my-vault-01.vault.azure.net/")]
    public void A_vault_name_is_a_public_cloud_uri(string name, string expected)
        => Assert.Equal(new Uri(expected), VaultAddress.FromVaultName(name));

    [Theory]
    [InlineData("ab")]
    [InlineData("1vault")]
    [InlineData("vault-")]
    [InlineData("va--ult")]
    [InlineData("vault.name")]
    [InlineData("this-name-is-far-too-long-for-a-vault")]
    public void Invalid_vault_names_are_refused_with_a_reason(string name)
    {
        var e = Assert.Throws<KvException>(() => VaultAddress.FromVaultName(name));
        Assert.Equal(KvErrorKind.InvalidArgument, e.Kind);
        Assert.Equal(KvErrorIds.InvalidVault, e.ErrorId);
        Assert.StartsWith($"'{name}' is not a valid vault name: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("public cloud", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("-VaultUri", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://prod.vault.azure.net", "https://prod.vault.azure.net/", "prod")]
    [InlineData("https://PROD.vault.azure.net/", "https://prod.vault.azure.net/", "prod")]
    [InlineData("https://prod.vault.localhost:8443/", "https://prod.vault.localhost:8443/", "prod")]
    [InlineData("https://prod.vault.azure.net:443/", "https://prod.vault.azure.net/", "prod")]
    public void Vault_uris_are_normalized(string input, string expected, string name)
    {
        var uri = VaultAddress.Normalize(new Uri(input));
        Assert.Equal(expected, uri.AbsoluteUri);
        Assert.Equal(name, VaultAddress.GetVaultName(uri));
    }

    [Theory]
    [InlineData("http://prod.vault.azure.net/", "https")]
    [InlineData("https://prod.vault.azure.net/secrets/x", "path")]
    [InlineData("https://prod.vault.azure.net/?a=b", "query")]
    [InlineData("https://user:pw@prod.vault.azure.net/", "user information")]
    [InlineData("https://[::1]:8443/", "IP address")]
    [InlineData("https://127.0.0.1:8443/", "IP address")]
    public void Bad_vault_uris_are_refused_with_a_reason(string input, string reason)
    {
        var e = Assert.Throws<KvException>(() => VaultAddress.Normalize(new Uri(input)));
        Assert.Equal(KvErrorIds.InvalidVault, e.ErrorId);
        Assert.Equal(KvErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pw@", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_relative_uri_is_refused()
    {
        var e = Assert.Throws<KvException>(() => VaultAddress.Normalize(new Uri("prod", UriKind.Relative)));
        Assert.Equal(KvErrorIds.InvalidVault, e.ErrorId);
    }

    [Fact]
    public void The_factory_refuses_a_bad_uri_before_any_request()
    {
        var e = Assert.Throws<KvException>(() => VaultClientFactory.Create(new VaultConnectionOptions
        {
            VaultUri = new Uri("http://prod.vault.azure.net/"),
            CredentialKind = KvCredentialKind.AccessToken,
            AccessToken = KvArchive.Engine.Tests.Vault.Infrastructure.VaultFixture.Secure("t"),
        }));
        Assert.Equal(KvErrorIds.InvalidVault, e.ErrorId);
    }
}
