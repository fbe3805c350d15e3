using KvArchive.Engine.Archive;
using KvArchive.Engine.Tests.Hosting;
using KvArchive.Engine.Tests.Vault.Infrastructure;
using KvArchive.Engine.Transfer;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Transfer;

/// <summary>
/// A backup stopped halfway against a real LocalVault keeps what it saved beside the path; the same backup with
/// Resume backs up only the rest (and what changed since), and its archive is whole and restores.
/// </summary>
[Trait("Category", "LocalVault")]
public sealed class ResumeLocalVaultTests(VaultFixture fixture) : LocalVaultTransferTest(fixture)
{
    private static Task<BackupSummary> BackupAsync(RecordingHost host, Func<Uri, IRequestObserver, IVaultClient> factory, string path, Uri vault, bool resume)
        => LocalVaultTransfer.OnOwnThread(() =>
        {
            using var session = BackupSession.Start(host, new BackupOptions { Path = path, Force = true, VaultUri = vault, Resume = resume, ThrottleLimit = 4 }, factory);
            session.AddVault(types: AllKinds);
            return session.Complete();
        });

    [Fact]
    public async Task A_stopped_backup_is_continued_without_backing_up_what_it_saved()
    {
        var vault = await Fixture.NewVaultAsync(prefix: "resume");
        await Fixture.Server.SeedAsync(vault, new { secrets = 80, keys = 6, certificates = 2, versions = 2, prefix = "rs" });
        var client = await Fixture.ConnectAsync(vault);
        var uri = Fixture.Server.VaultUri(vault);
        var factory = await LocalVaultTransfer.FactoryAsync(Fixture);
        var path = Path.Combine(Folder, "prod.kva");
        var total = await LocalVaultTransfer.SnapshotAsync(client, AllKinds);

        // Times are whole seconds: what was saved is kept only when its last update was over before its backup.
        await Task.Delay(2500);
        await Fixture.Server.SetFaultsAsync(vault, new { latencyMs = 30, jitterMs = 0 });
        int kept;
        using (var host = new RecordingHost { CancelAfterRecords = 40 })
        {
            var stopped = await Assert.ThrowsAsync<KvException>(() => BackupAsync(host, factory, path, uri, resume: false));
            Assert.Equal(KvErrorIds.Cancelled, stopped.ErrorId);
            Assert.Contains("resumed run", stopped.Message);
            Assert.False(File.Exists(path));
            var leftover = Assert.Single(PartialArchive.Find(path));
            kept = PartialArchive.Scan(leftover).Count;
            Assert.InRange(kept, 30, 85);
        }

        await Fixture.Server.SetFaultsAsync(vault, new { latencyMs = 0, jitterMs = 0 });

        // One object changed after the interrupted run saved it: it is backed up again, not kept.
        var saved = PartialArchive.Scan(PartialArchive.Find(path)[0]).Select(s => s.Document).First(d => d.Kind == KvObjectType.Secret);
        await Task.Delay(1100);
        await client.UpdateAsync(KvObjectType.Secret, saved.Name, null, new KvPropertyUpdate { Tags = new Dictionary<string, string> { ["after"] = "stop" } }, default);
        await Task.Delay(3500);
        await Fixture.Server.ResetStatsAsync(vault);

        using (var host = new RecordingHost())
        {
            var summary = await BackupAsync(host, factory, path, uri, resume: true);
            Assert.Empty(host.Errors.Select(e => e.Exception.Message));
            Assert.True(summary.IsComplete);
            Assert.Equal((kept - 1, kept - 1), (summary.Copied, summary.Resumed));
            Assert.Contains($"{kept - 1} kept from the interrupted run", summary.ToString(), StringComparison.Ordinal);
            Assert.Equal(88 - (kept - 1), summary.Saved);
            var record = host.Records.OfType<BackupRecord>().Single(r => r.Name == saved.Name && r.Type == KvObjectType.Secret);
            Assert.Equal(BackupStatus.Saved, record.Status);
        }

        // What resuming cost: the listing, then one backup per object the stopped run had not saved (or that changed).
        var requests = await RequestsPastTheChallengeAsync(vault);
        var listPages = await ListPagesAsync(vault, client);
        var backups = 88 - (kept - 1);
        Assert.True(requests >= listPages + backups && requests <= (2 * listPages) + (2 * backups), $"{requests} requests, {listPages} list pages, {backups} backups");

        // Nothing is left beside the archive, and the archive is whole: it restores every object as the vault has it.
        Assert.Empty(ArchiveWriter.TempFiles(path));
        Assert.Empty(ArchiveReader.Verify(path).Errors);
        var target = await Fixture.NewVaultAsync(prefix: "resume-dr");
        using (var host = new RecordingHost())
        {
            var restored = await LocalVaultTransfer.RestoreAsync(host, factory, path, new RestoreOptions { TargetVaultUri = Fixture.Server.VaultUri(target) });
            Assert.Equal(88, restored.Restored);
        }

        Assert.Equal(await LocalVaultTransfer.SnapshotAsync(client, AllKinds), await LocalVaultTransfer.SnapshotAsync(await Fixture.ConnectAsync(target), AllKinds));
        Assert.NotEqual(total, await LocalVaultTransfer.SnapshotAsync(client, AllKinds));
    }

    [Fact]
    public async Task Resume_with_nothing_to_continue_from_is_a_full_backup()
    {
        var vault = await Fixture.NewVaultAsync(prefix: "resume0");
        await Fixture.Server.SeedAsync(vault, new { secrets = 5, versions = 1, prefix = "r0" });
        var factory = await LocalVaultTransfer.FactoryAsync(Fixture);
        var path = Path.Combine(Folder, "fresh.kva");
        using var host = new RecordingHost();
        var summary = await BackupAsync(host, factory, path, Fixture.Server.VaultUri(vault), resume: true);
        Assert.Equal((5, 0), (summary.Saved, summary.Copied));
        Assert.True(summary.IsComplete);
        Assert.Empty(host.Warnings);
    }
}
