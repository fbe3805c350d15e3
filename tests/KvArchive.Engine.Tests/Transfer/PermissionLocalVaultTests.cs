using KvArchive.Engine.Archive;
using KvArchive.Engine.Tests.Archive;
using KvArchive.Engine.Tests.Hosting;
using KvArchive.Engine.Tests.Vault.Infrastructure;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Transfer;

/// <summary>A least-privilege identity: the kinds it may read are listed and backed up, each refused kind is one error.</summary>
[Trait("Category", "LocalVault")]
public sealed class PermissionLocalVaultTests(VaultFixture fixture) : IClassFixture<VaultFixture>, IDisposable
{
    private static readonly string[] SecretsOnly = ["secrets/list", "secrets/get", "secrets/backup"];

    private readonly string _folder = ArchiveTestData.NewFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_whole_vault_backup_with_secrets_only_saves_the_secrets_and_names_each_refused_permission_once()
    {
        var source = await fixture.NewVaultAsync(prefix: "src");
        await fixture.Server.SeedAsync(source, new { secrets = 30, keys = 3, versions = 1, prefix = "lp" });
        var factory = await LocalVaultTransfer.FactoryAsync(fixture, permissions: SecretsOnly);
        using var host = new RecordingHost();
        var path = Path.Combine(_folder, "vault.kva");
        var summary = await LocalVaultTransfer.BackupAsync(host, factory, path, fixture.Server.VaultUri(source), [KvObjectType.Certificate, KvObjectType.Key, KvObjectType.Secret]);

        Assert.Equal(30, summary.Saved);
        var errors = host.Errors.Select(e => e.Exception).ToList();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Equal(KvErrorIds.PermissionDenied, e.ErrorId));
        Assert.Contains("'certificates/list'", errors[0].Message);
        Assert.Contains("'keys/list'", errors[1].Message);
        Assert.Equal([KvObjectType.Certificate, KvObjectType.Key], host.Errors.Select(e => e.Target));
        using var reader = ArchiveReader.Open(path);
        Assert.True(reader.Verify().IsValid);
        Assert.Equal(30, reader.Items.Count(i => i.Type == KvObjectType.Secret && i.Status == ArchiveEntryStatus.Saved));
    }

    [Fact]
    public async Task A_listing_of_every_kind_with_secrets_only_yields_the_secrets_and_one_refusal_per_kind()
    {
        var source = await fixture.NewVaultAsync(prefix: "src");
        await fixture.Server.SeedAsync(source, new { secrets = 3, keys = 2, versions = 1, prefix = "lq" });
        var client = await fixture.ConnectAsync(source, permissions: SecretsOnly);
        var refused = new List<KvException>();
        var listed = await client.QueryAsync(new KvObjectQuery { Types = [KvObjectType.Certificate, KvObjectType.Key, KvObjectType.Secret], Name = "lq-*" }, refused.Add, default).ToListAsync();

        Assert.Equal(3, listed.Count(o => o.Type == KvObjectType.Secret));
        Assert.Equal([KvObjectType.Certificate, KvObjectType.Key], refused.Select(e => e.ObjectType!.Value));
        Assert.Contains("'keys/list'", refused[1].Message);

        // A literal name: not found among the secrets, refused for the other kinds, and the error says which kind it looked in.
        refused.Clear();
        var e = await Assert.ThrowsAsync<KvException>(async () => await client.QueryAsync(new KvObjectQuery { Types = [KvObjectType.Key, KvObjectType.Secret], Name = "ghost" }, refused.Add, default).ToListAsync());
        Assert.Equal(KvErrorIds.ObjectNotFound, e.ErrorId);
        Assert.Contains("No secret named 'ghost'", e.Message);
        Assert.Single(refused);

        // Without the callback a refusal still ends the stream, as before.
        await Assert.ThrowsAsync<KvException>(async () => await client.QueryAsync(new KvObjectQuery { Types = [KvObjectType.Key, KvObjectType.Secret] }, default).ToListAsync());
    }
}
