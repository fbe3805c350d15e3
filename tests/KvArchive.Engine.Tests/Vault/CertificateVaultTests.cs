using KvArchive.Engine.Tests.Vault.Infrastructure;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Vault;

/// <summary>Certificates (and the key and secret each one owns) against a real LocalVault.</summary>
[Trait("Category", "LocalVault")]
public sealed class CertificateVaultTests(VaultFixture fixture) : IClassFixture<VaultFixture>
{
    private static readonly KvWaitOptions FastWait = new() { InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(300), Timeout = TimeSpan.FromSeconds(30) };

    private async Task<(IVaultClient Client, string Vault, KvObject Certificate)> VaultWithCertificateAsync(object? settings = null)
    {
        var vault = await fixture.NewVaultAsync(settings);
        await fixture.Server.SeedAsync(vault, new { certificates = 1, prefix = "cert" });
        var client = await fixture.ConnectAsync(vault);
        var certificate = Assert.Single(await client.ListAsync(KvObjectType.Certificate, default).ToListAsync());
        return (client, vault, certificate);
    }

    [Fact]
    public async Task A_certificate_lists_with_its_thumbprint_and_owns_a_managed_key_and_secret()
    {
        var (client, vault, listed) = await VaultWithCertificateAsync();
        Assert.Equal(KvObjectType.Certificate, listed.Type);
        Assert.Matches("^[0-9A-F]{40}$", listed.Thumbprint);
        Assert.False(listed.Managed);

        var got = await client.GetAsync(KvObjectType.Certificate, listed.Name, null, default);
        Assert.Equal(listed.Thumbprint, got.Thumbprint);
        Assert.Matches("^[0-9a-f]{32}$", got.Version);
        Assert.NotNull(got.ExpiresOn);
        Assert.NotNull(got.NotBefore);
        Assert.Equal(got.Version, (await client.GetAsync(KvObjectType.Certificate, listed.Name, got.Version, default)).Version);
        Assert.Single(await client.ListVersionsAsync(KvObjectType.Certificate, listed.Name, default).ToListAsync());

        var secret = Assert.Single(await client.ListAsync(KvObjectType.Secret, default).ToListAsync());
        Assert.Equal(listed.Name, secret.Name);
        Assert.True(secret.Managed);
        var key = Assert.Single(await client.ListAsync(KvObjectType.Key, default).ToListAsync());
        Assert.True(key.Managed);

        var everything = await client.QueryAsync(new KvObjectQuery(), default).ToListAsync();
        Assert.Equal(3, everything.Count);
        var unmanaged = await client.QueryAsync(new KvObjectQuery { ExcludeManaged = true }, default).ToListAsync();
        Assert.Equal(KvObjectType.Certificate, Assert.Single(unmanaged).Type);

        var literal = await client.QueryAsync(new KvObjectQuery { Name = listed.Name }, default).ToListAsync();
        Assert.Equal(new[] { KvObjectType.Secret, KvObjectType.Key, KvObjectType.Certificate }, literal.Select(o => o.Type));
        Assert.Equal(vault, literal[0].VaultName);

        var missing = await Assert.ThrowsAsync<KvException>(() => client.QueryAsync(new KvObjectQuery { Name = "missing" }, default).ToListAsync().AsTask());
        Assert.Equal(KvErrorKind.NotFound, missing.Kind);
        Assert.Equal($"No secret, key or certificate named 'missing' was found in vault '{vault}'.", missing.Message);
    }

    [Fact]
    public async Task Backing_up_a_managed_secret_or_key_points_at_the_certificate()
    {
        var (client, vault, certificate) = await VaultWithCertificateAsync();
        var secret = await Assert.ThrowsAsync<KvException>(() => client.BackupAsync(KvObjectType.Secret, certificate.Name, default));
        Assert.Equal(KvErrorIds.ManagedObject, secret.ErrorId);
        Assert.Equal($"Secret '{certificate.Name}' in vault '{vault}' belongs to a certificate and cannot be backed up on its own; back up the certificate '{certificate.Name}' instead.", secret.Message);
        var key = await Assert.ThrowsAsync<KvException>(() => client.BackupAsync(KvObjectType.Key, certificate.Name, default));
        Assert.Equal(KvErrorIds.ManagedObject, key.ErrorId);
    }

    [Fact]
    public async Task Update_changes_enabled_and_tags_but_refuses_dates()
    {
        var (client, _, certificate) = await VaultWithCertificateAsync();
        var updated = await client.UpdateAsync(KvObjectType.Certificate, certificate.Name, null, new KvPropertyUpdate { Tags = new Dictionary<string, string> { ["owner"] = "ops" } }, default);
        Assert.Equal("ops", updated.Tags["owner"]);
        Assert.Equal(certificate.Thumbprint, updated.Thumbprint);

        var e = await Assert.ThrowsAsync<KvException>(() => client.UpdateAsync(KvObjectType.Certificate, certificate.Name, null, new KvPropertyUpdate { ExpiresOn = DateTimeOffset.UtcNow }, default));
        Assert.Equal(KvErrorKind.InvalidArgument, e.Kind);
        Assert.Equal(certificate.Name, e.ObjectName);
    }

    [Fact]
    public async Task Delete_purge_and_restore_bring_back_the_certificate_with_its_key_and_secret()
    {
        var (client, _, certificate) = await VaultWithCertificateAsync(new { deleteDelayMs = 300 });
        var name = certificate.Name;
        var version = (await client.GetAsync(KvObjectType.Certificate, name, null, default)).Version;
        var blob = await client.BackupAsync(KvObjectType.Certificate, name, default);
        Assert.NotEmpty(blob);

        var deleted = await client.DeleteAndWaitAsync(KvObjectType.Certificate, name, FastWait, default);
        Assert.True(deleted.Deleted);
        Assert.Equal(certificate.Thumbprint, deleted.Thumbprint);
        Assert.Equal(KvNameState.SoftDeleted, await client.GetNameStateAsync(KvObjectType.Certificate, name, default));
        Assert.Equal(KvNameState.SoftDeleted, await client.GetNameStateAsync(KvObjectType.Secret, name, default));
        Assert.Single(await client.ListDeletedAsync(KvObjectType.Certificate, default).ToListAsync());

        var recovered = await client.RecoverAndWaitAsync(KvObjectType.Certificate, name, FastWait, default);
        Assert.Equal(version, recovered.Version);
        Assert.Equal(KvNameState.Exists, await client.GetNameStateAsync(KvObjectType.Key, name, default));

        await client.DeleteAndWaitAsync(KvObjectType.Certificate, name, FastWait, default);
        await client.PurgeAndWaitAsync(KvObjectType.Certificate, name, FastWait, default);
        Assert.Equal(KvNameState.Free, await client.GetNameStateAsync(KvObjectType.Certificate, name, default));

        var restored = await client.RestoreAndWaitAsync(KvObjectType.Certificate, blob, FastWait, default);
        Assert.Equal(name, restored.Name);
        Assert.Equal(version, restored.Version);
        Assert.Equal(certificate.Thumbprint, restored.Thumbprint);
        Assert.True((await client.GetAsync(KvObjectType.Secret, name, null, default)).Managed);
    }

    [Fact]
    public async Task Certificate_errors_name_the_certificate()
    {
        var vault = await fixture.NewVaultAsync();
        var client = await fixture.ConnectAsync(vault);
        var e = await Assert.ThrowsAsync<KvException>(() => client.GetAsync(KvObjectType.Certificate, "none", null, default));
        Assert.Equal(KvErrorIds.ObjectNotFound, e.ErrorId);
        Assert.Equal("CertificateNotFound", e.ServiceCode);
        Assert.Equal($"Certificate 'none' was not found in vault '{vault}'.", e.Message);
    }
}
