using KvArchive.Engine.Connection;
using KvArchive.Engine.Tests.Vault.Infrastructure;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Vault;

/// <summary>Runs alone: it sets IDENTITY_ENDPOINT/IDENTITY_HEADER for the process, as Azure Automation does.</summary>
[CollectionDefinition(nameof(ManagedIdentityCollection), DisableParallelization = true)]
public sealed class ManagedIdentityCollection
{
}

/// <summary>The managed-identity and default credentials get tokens from LocalVault's App Service-shaped endpoint.</summary>
[Collection(nameof(ManagedIdentityCollection))]
[Trait("Category", "LocalVault")]
public sealed class ManagedIdentityTests(VaultFixture fixture) : IClassFixture<VaultFixture>, IDisposable
{
    private readonly string? _endpoint = Environment.GetEnvironmentVariable("IDENTITY_ENDPOINT");
    private readonly string? _header = Environment.GetEnvironmentVariable("IDENTITY_HEADER");

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", _endpoint);
        Environment.SetEnvironmentVariable("IDENTITY_HEADER", _header);
    }

    [Theory]
    [InlineData(KvCredentialKind.ManagedIdentity)]
    [InlineData(KvCredentialKind.Default)]
    public async Task A_system_assigned_identity_signs_in_through_the_identity_endpoint(KvCredentialKind kind)
    {
        UseIdentityEndpoint();
        var vault = await fixture.NewVaultAsync();
        var client = fixture.Track(VaultClientFactory.Create(new VaultConnectionOptions
        {
            VaultUri = fixture.Server.VaultUri(vault),
            CredentialKind = kind,
            TrustedCertificatePath = fixture.Server.CertificatePath,
        }));

        await client.SetSecretAsync("via-mi", "v", new KvSecretSetOptions(), default);
        Assert.Equal("via-mi", Assert.Single(await client.ListAsync(KvObjectType.Secret, default).ToListAsync()).Name);
        await client.CreateKeyAsync("k", new KvKeyCreateOptions { KeyType = "EC", CurveName = "P-256" }, default);
    }

    [Fact]
    public async Task A_user_assigned_identity_gets_its_own_permissions()
    {
        UseIdentityEndpoint();
        var vault = await fixture.NewVaultAsync();
        var clientId = Guid.NewGuid().ToString();
        await fixture.Server.DefineIdentityAsync(clientId, ["secrets/list"]);
        var client = fixture.Track(VaultClientFactory.Create(new VaultConnectionOptions
        {
            VaultUri = fixture.Server.VaultUri(vault),
            CredentialKind = KvCredentialKind.ManagedIdentity,
            ManagedIdentityClientId = clientId,
            TrustedCertificatePath = fixture.Server.CertificatePath,
        }));

        Assert.Empty(await client.ListAsync(KvObjectType.Secret, default).ToListAsync());
        var e = await Assert.ThrowsAsync<KvException>(() => client.SetSecretAsync("x", "v", new KvSecretSetOptions(), default));
        Assert.Equal(KvErrorIds.PermissionDenied, e.ErrorId);
        Assert.Contains("'secrets/set'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_identity_endpoint_is_unauthenticated_with_the_next_step()
    {
        Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", "http://127.0.0.1:1/nothing");
        Environment.SetEnvironmentVariable("IDENTITY_HEADER", "x");
        var vault = await fixture.NewVaultAsync();
        var client = fixture.Track(VaultClientFactory.Create(new VaultConnectionOptions
        {
            VaultUri = fixture.Server.VaultUri(vault),
            CredentialKind = KvCredentialKind.ManagedIdentity,
            TrustedCertificatePath = fixture.Server.CertificatePath,
            MaxRetries = 0,
        }));

        var e = await Assert.ThrowsAsync<KvException>(() => client.GetAsync(KvObjectType.Secret, "x", null, default));
        Assert.Equal(KvErrorKind.Unauthenticated, e.Kind);
        Assert.Contains("managed identity", e.Message, StringComparison.Ordinal);
    }

    private void UseIdentityEndpoint()
    {
        Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", fixture.Server.IdentityEndpoint);
        Environment.SetEnvironmentVariable("IDENTITY_HEADER", fixture.Server.IdentityHeader);
    }
}
