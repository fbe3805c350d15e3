using KvArchive.Engine.Archive;
using KvArchive.Engine.Tests.Hosting;
using KvArchive.Engine.Tests.Vault.Infrastructure;
using KvArchive.Engine.Transfer;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Transfer;

/// <summary>
/// Both sides of the stop rule (<see cref="KvFailurePolicy"/>) against a real LocalVault and its fault rules:
/// failures on one object stay with it; a vault that stops answering ends the run with one error.
/// </summary>
[Trait("Category", "LocalVault")]
public sealed class FailureIsolationTests(VaultFixture fixture) : LocalVaultTransferTest(fixture)
{
    [Fact]
    public async Task Drops_and_503s_on_one_object_fail_that_object_and_the_backup_and_the_restore_go_on()
    {
        var source = await Fixture.NewVaultAsync(prefix: "src");
        await Fixture.Server.SeedAsync(source, new { secrets = 40, versions = 1, prefix = "iso" });
        await Fixture.Server.SetFaultsAsync(source, new
        {
            rules = new object[]
            {
                new { method = "POST", pathRegex = "/secrets/iso-s0003/backup$", drop = true },
                new { method = "POST", pathRegex = "/secrets/iso-s0011/backup$", status = 503 },
            },
        });
        var factory = await LocalVaultTransfer.FactoryAsync(Fixture);
        using var host = new RecordingHost();
        var summary = await LocalVaultTransfer.BackupAsync(host, factory, ArchivePath, Fixture.Server.VaultUri(source), [KvObjectType.Secret], throttle: 8);

        Assert.Equal((38, 2), (summary.Saved, summary.Failed));
        var errors = host.Errors.Select(e => e.Exception).OrderBy(e => e.ObjectName, StringComparer.Ordinal).ToList();
        Assert.Equal(["iso-s0003", "iso-s0011"], errors.Select(e => e.ObjectName));
        Assert.All(errors, e => Assert.Equal(KvErrorIds.VaultUnreachable, e.ErrorId));
        Assert.Contains("could not be reached", errors[0].Message);
        Assert.Contains("503", errors[1].Message);
        using (var reader = ArchiveReader.Open(ArchivePath))
        {
            Assert.True(reader.Verify().IsValid);
            var failed = reader.Items.Where(i => i.Status == ArchiveEntryStatus.Failed).OrderBy(i => i.Name, StringComparer.Ordinal).ToList();
            Assert.Equal(["iso-s0003", "iso-s0011"], failed.Select(i => i.Name));
            Assert.All(failed, i => Assert.False(string.IsNullOrEmpty(i.Reason)));
        }

        // Restore, one entry at a time: the first entry's restore is dropped on its first try and every retry.
        var target = await Fixture.NewVaultAsync(prefix: "dst");
        await Fixture.Server.SetFaultsAsync(target, new { rules = new object[] { new { method = "POST", pathRegex = "/secrets/restore$", drop = true, count = 4 } } });
        using var restoreHost = new RecordingHost();
        var restored = await LocalVaultTransfer.RestoreAsync(restoreHost, factory, ArchivePath, new RestoreOptions { TargetVaultUri = Fixture.Server.VaultUri(target), ThrottleLimit = 1 });
        Assert.Equal((37, 1), (restored.Restored, restored.Failed));
        var restoreError = Assert.Single(restoreHost.Errors).Exception;
        Assert.Equal(KvErrorIds.VaultUnreachable, restoreError.ErrorId);
    }

    [Fact]
    public async Task Several_objects_failing_in_a_row_while_the_vault_still_lists_stay_failed_and_the_run_goes_on()
    {
        var source = await Fixture.NewVaultAsync(prefix: "src");
        await Fixture.Server.SeedAsync(source, new { secrets = 7, versions = 1, prefix = "bad" });
        await Fixture.Server.SeedAsync(source, new { secrets = 20, versions = 1, prefix = "ok" });
        await Fixture.Server.SetFaultsAsync(source, new { rules = new object[] { new { method = "POST", pathRegex = "/secrets/bad-s\\d+/backup$", drop = true } } });
        var factory = await LocalVaultTransfer.FactoryAsync(Fixture);
        using var host = new RecordingHost();
        var vault = Fixture.Server.VaultUri(source);
        var summary = await LocalVaultTransfer.OnOwnThread(() =>
        {
            using var session = BackupSession.Start(host, new BackupOptions { Path = ArchivePath, ThrottleLimit = 1, VaultUri = vault }, factory);
            foreach (var name in Enumerable.Range(0, 7).Select(i => $"bad-s{i:D4}").Concat(Enumerable.Range(0, 20).Select(i => $"ok-s{i:D4}")))
            {
                session.Add(new BackupRequest { Type = KvObjectType.Secret, Name = name });
            }

            return session.Complete();
        });

        // More than ProbeAfter different objects failed in a row: the probe (one listing page) answered, so they stay failed.
        Assert.True(7 > KvFailurePolicy.ProbeAfter);
        Assert.Equal((20, 7), (summary.Saved, summary.Failed));
        Assert.Equal(7, host.Errors.Count);
    }

    [Fact]
    public async Task A_vault_that_drops_every_request_ends_the_backup_after_a_few_objects_and_a_failed_probe()
    {
        var source = await Fixture.NewVaultAsync(prefix: "src");
        await Fixture.Server.SeedAsync(source, new { secrets = 60, versions = 1, prefix = "gone" });
        await Fixture.Server.SetFaultsAsync(source, new { rules = new object[] { new { drop = true } } });
        var factory = await LocalVaultTransfer.FactoryAsync(Fixture);
        using var host = new RecordingHost();
        var vault = Fixture.Server.VaultUri(source);
        var e = await Assert.ThrowsAsync<KvException>(() => LocalVaultTransfer.OnOwnThread(() =>
        {
            using var session = BackupSession.Start(host, new BackupOptions { Path = ArchivePath, ThrottleLimit = 4, VaultUri = vault }, factory);
            for (var i = 0; i < 60; i++)
            {
                session.Add(new BackupRequest { Type = KvObjectType.Secret, Name = $"gone-s{i:D4}" });
            }

            return session.Complete();
        }));

        Assert.Equal(KvErrorIds.VaultUnreachable, e.ErrorId);
        Assert.Contains("different objects in a row", e.Message);
        Assert.Contains("a listing of the vault failed too", e.Message);
        Assert.True(host.Errors.Count < KvFailurePolicy.StopAfter, $"{host.Errors.Count} errors before the stop");
        Assert.False(File.Exists(ArchivePath));
        Assert.Empty(Directory.GetFiles(Folder));
    }

    [Fact]
    public async Task A_vault_whose_every_backup_answers_503_ends_the_run_at_the_stop_count_although_it_lists()
    {
        var source = await Fixture.NewVaultAsync(prefix: "src");
        await Fixture.Server.SeedAsync(source, new { secrets = 60, versions = 1, prefix = "down" });
        await Fixture.Server.SetFaultsAsync(source, new { rules = new object[] { new { method = "POST", pathRegex = "/backup$", status = 503 } } });
        var factory = await LocalVaultTransfer.FactoryAsync(Fixture, maxRetries: 1);
        using var host = new RecordingHost();
        var e = await Assert.ThrowsAsync<KvException>(() => LocalVaultTransfer.BackupAsync(host, factory, ArchivePath, Fixture.Server.VaultUri(source), [KvObjectType.Secret], throttle: 4));

        Assert.Equal(KvErrorIds.VaultUnreachable, e.ErrorId);
        Assert.Contains($"{KvFailurePolicy.StopAfter} different objects in a row", e.Message);
        Assert.Contains("still answers listings", e.Message);
        Assert.True(host.Errors.Count < 60, $"{host.Errors.Count} errors before the stop");
        Assert.False(File.Exists(ArchivePath));
    }

    [Fact]
    public async Task A_restore_into_a_vault_that_drops_every_request_ends_with_one_error()
    {
        var source = await Fixture.NewVaultAsync(prefix: "src");
        await Fixture.Server.SeedAsync(source, new { secrets = 30, versions = 1, prefix = "rg" });
        var factory = await LocalVaultTransfer.FactoryAsync(Fixture);
        await LocalVaultTransfer.BackupAsync(new RecordingHost(), factory, ArchivePath, Fixture.Server.VaultUri(source), [KvObjectType.Secret]);

        var target = await Fixture.NewVaultAsync(prefix: "dst");
        await Fixture.Server.SetFaultsAsync(target, new { rules = new object[] { new { drop = true } } });
        using var host = new RecordingHost();
        var e = await Assert.ThrowsAsync<KvException>(() => LocalVaultTransfer.RestoreAsync(host, factory, ArchivePath, new RestoreOptions { TargetVaultUri = Fixture.Server.VaultUri(target), ThrottleLimit = 4 }));
        Assert.Equal(KvErrorIds.VaultUnreachable, e.ErrorId);
        Assert.Contains("a listing of the vault failed too", e.Message);
        Assert.True(host.Errors.Count < KvFailurePolicy.StopAfter, $"{host.Errors.Count} errors before the stop");
    }
}
