using KvArchive.Engine.Archive;
using KvArchive.Engine.Tests.Hosting;
using KvArchive.Engine.Tests.Vault.Infrastructure;
using KvArchive.Engine.Transfer;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Transfer;

/// <summary>An incremental backup against a real LocalVault: what it costs, and that its archive restores alone.</summary>
[Trait("Category", "LocalVault")]
public sealed class IncrementalLocalVaultTests(VaultFixture fixture) : LocalVaultTransferTest(fixture)
{
    private Task<BackupSummary> BackupAsync(RecordingHost host, Func<Uri, IRequestObserver, IVaultClient> factory, string path, Uri vault, string? basePath)
        => LocalVaultTransfer.OnOwnThread(() =>
        {
            using var session = BackupSession.Start(host, new BackupOptions { Path = path, Force = true, VaultUri = vault, BaseArchivePath = basePath }, factory);
            session.AddVault(types: AllKinds);
            return session.Complete();
        });

    [Fact]
    public async Task Changed_objects_cost_one_request_each_and_the_archive_restores_on_its_own()
    {
        var vault = await Fixture.NewVaultAsync(prefix: "inc");
        await Fixture.Server.SeedAsync(vault, new { secrets = 60, keys = 8, certificates = 3, versions = 2, prefix = "inc" });
        var client = await Fixture.ConnectAsync(vault);
        var uri = Fixture.Server.VaultUri(vault);
        var factory = await LocalVaultTransfer.FactoryAsync(Fixture);

        // Times are whole seconds: an object is copied only when its last update was over before its backup.
        await Task.Delay(2500);
        var basePath = Path.Combine(Folder, "base.kva");
        using (var host = new RecordingHost())
        {
            var full = await BackupAsync(host, factory, basePath, uri, null);
            Assert.Equal(71, full.Saved);
        }

        var names = new List<string>();
        await foreach (var s in client.ListAsync(KvObjectType.Secret, default))
        {
            if (!s.Managed)
            {
                names.Add(s.Name);
            }
        }

        await client.SetSecretAsync(names[0], "changed", new KvSecretSetOptions(), default);
        await client.UpdateAsync(KvObjectType.Secret, names[1], null, new KvPropertyUpdate { Enabled = false }, default);
        await client.DeleteAsync(KvObjectType.Secret, names[2], default);
        await client.SetSecretAsync("brand-new", "x", new KvSecretSetOptions(), default);

        // The service's Date is whole seconds too: over 3 s, the changes are settled by its clock.
        await Task.Delay(3500);
        await Fixture.Server.ResetStatsAsync(vault);

        var nextPath = Path.Combine(Folder, "next.kva");
        using (var host = new RecordingHost())
        {
            var summary = await BackupAsync(host, factory, nextPath, uri, basePath);
            Assert.Empty(host.Errors.Select(e => e.Exception.Message));
            Assert.Equal((3, 68, 1), (summary.Saved, summary.Copied, summary.Deleted));
        }

        // What the listing alone costs (its pages), then the target: list pages + 1.1 requests per changed object.
        var requests = await RequestsPastTheChallengeAsync(vault);
        var listPages = await ListPagesAsync(vault, client);
        // The changed objects cost their backups; on a busy machine (tests in parallel) they may also go the full way
        // (their versions) and the change check may re-list the vault once — but the 68 copied entries cost nothing:
        // at most one more listing and one more request per changed object. bench/IncrementalBench measures the
        // exact target (list pages + 1.1 per changed object) on a quiet machine.
        Assert.True(requests >= listPages + 3 && requests <= (2 * listPages) + (2 * 3), $"{requests} requests, {listPages} list pages");

        Assert.Empty(ArchiveReader.Verify(nextPath).Errors);
        var before = await LocalVaultTransfer.SnapshotAsync(client, AllKinds);
        var target = await Fixture.NewVaultAsync(prefix: "inc-dr");
        using (var host = new RecordingHost())
        {
            var restored = await LocalVaultTransfer.RestoreAsync(host, factory, nextPath, new RestoreOptions { TargetVaultUri = Fixture.Server.VaultUri(target) });
            Assert.Equal(71, restored.Restored);
        }

        Assert.Equal(before, await LocalVaultTransfer.SnapshotAsync(await Fixture.ConnectAsync(target), AllKinds));
    }
}
