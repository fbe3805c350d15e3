using System.Diagnostics;
using System.Security.Cryptography;
using KvArchive.Module.Tests.Infrastructure;
using KvArchive.TestSupport;
using Xunit.Abstractions;

namespace KvArchive.Module.Tests.Transfer;

/// <summary>
/// A backup whose process is killed mid-run (no finally, no StopProcessing) never leaves a partial archive at the
/// path and never damages the archive that was there.
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class ProcessKillTests(ModuleFixture fixture, ITestOutputHelper log)
{
    [Fact]
    public async Task Killed_backups_at_random_points_leave_no_accumulating_temp_files()
    {
        var directory = Directory.CreateTempSubdirectory("kvarchive-kill-").FullName;
        try
        {
            var archive = Path.Combine(directory, "prod.kva");
            var vault = await SlowVaultAsync(latencyMs: 100);
            var random = new Random(11);
            const int Trials = 8;
            var maxLeft = 0;
            for (var trial = 0; trial < Trials; trial++)
            {
                var delay = random.Next(0, 1500);
                await KillBackupMidRunAsync(vault, archive, delay);
                var left = TempFiles(directory, archive);
                log.WriteLine($"kill trial {trial + 1}: killed {delay} ms into writing; temp files present after the kill: {left.Count}");
                maxLeft = Math.Max(maxLeft, left.Count);

                // Each new run removes the files of the killed one before it writes its own: no accumulation.
                Assert.InRange(left.Count, 0, 2);
                Assert.False(File.Exists(archive));
            }

            using (var session = fixture.NewSession())
            {
                session.Set("Vault", vault).Set("Archive", archive);
                session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token | Backup-KvObject -AccessToken $Token -Path $Archive -Force").EnsureSuccess();
                Assert.True((bool)session.Run("(Test-KvArchive -Path $Archive).IsComplete").EnsureSuccess().Output.Single().BaseObject);
            }

            var after = TempFiles(directory, archive);
            log.WriteLine($"{Trials} kills, at most {maxLeft} temp files at once; after the next backup: {after.Count}");
            Assert.Empty(after);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static List<string> TempFiles(string directory, string archive)
        => Directory.EnumerateFiles(directory, "*", new EnumerationOptions { AttributesToSkip = 0 })
            .Where(f => f != archive && !f.EndsWith(".ps1", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task A_killed_backup_leaves_no_file_at_the_path()
    {
        var directory = Directory.CreateTempSubdirectory("kvarchive-kill-").FullName;
        try
        {
            var archive = Path.Combine(directory, "prod.kva");
            await KillBackupMidRunAsync(await SlowVaultAsync(), archive);
            Assert.False(File.Exists(archive), "a killed backup must not leave an archive at the path");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_killed_backup_leaves_the_previous_archive_intact()
    {
        var directory = Directory.CreateTempSubdirectory("kvarchive-kill-").FullName;
        try
        {
            var archive = Path.Combine(directory, "prod.kva");
            var vault = await SlowVaultAsync(latencyMs: 0);
            using (var session = fixture.NewSession())
            {
                session.Set("Vault", vault).Set("Archive", archive);
                session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token | Backup-KvObject -AccessToken $Token -Path $Archive").EnsureSuccess();
            }

            var before = SHA256.HashData(await File.ReadAllBytesAsync(archive));
            await fixture.Server.SetFaultsAsync(vault.Host.Split('.')[0], new { latencyMs = 250, jitterMs = 0 });
            await KillBackupMidRunAsync(vault, archive);

            Assert.Equal(before, SHA256.HashData(await File.ReadAllBytesAsync(archive)));
            using var check = fixture.NewSession();
            check.Set("Archive", archive);
            var verification = check.Run("Test-KvArchive -Path $Archive").EnsureSuccess().Output.Single();
            Assert.True((bool)verification.Properties["IsValid"].Value);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_killed_backup_is_resumed_without_backing_up_again_what_it_saved()
    {
        var directory = Directory.CreateTempSubdirectory("kvarchive-kill-").FullName;
        try
        {
            var archive = Path.Combine(directory, "prod.kva");
            var vault = await SlowVaultAsync(latencyMs: 100);

            // Times are whole seconds: a saved object is kept only when its last update was over before its backup.
            await Task.Delay(2500);
            await KillBackupMidRunAsync(vault, archive, killAfterMs: 2000);
            Assert.False(File.Exists(archive));
            Assert.NotEmpty(TempFiles(directory, archive));

            await fixture.Server.ClearFaultsAsync(vault.Host.Split('.')[0]);
            await fixture.Server.ResetStatsAsync(vault.Host.Split('.')[0]);
            using var session = fixture.NewSession();
            session.Set("Vault", vault).Set("Archive", archive);
            var run = session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token | Backup-KvObject -AccessToken $Token -Path $Archive -Force -Resume -InformationVariable info; $info[-1].MessageData").EnsureSuccess();
            var summary = run.Output[^1];
            var kept = (int)summary.Properties["Copied"].Value;
            var saved = (int)summary.Properties["Saved"].Value;
            log.WriteLine($"killed after 2 s; the resumed run kept {kept} objects and backed up {saved}");
            Assert.InRange(kept, 1, 59);
            Assert.Equal(60, kept + saved);
            Assert.True((bool)summary.Properties["IsComplete"].Value);

            // What the resumed run cost: the listing (3 pages of 25) and one backup per object the killed run had not saved.
            var stats = await fixture.Server.GetStatsAsync(vault.Host.Split('.')[0]);
            var requests = (int)stats["requests"]! - ((int?)stats["byStatus"]!["401"] ?? 0);
            Assert.InRange(requests, saved + 3, saved + 3 + 10);

            Assert.Empty(TempFiles(directory, archive));
            var check = session.Run("Test-KvArchive -Path $Archive").EnsureSuccess().Output.Single();
            Assert.True((bool)check.Properties["IsComplete"].Value);
            Assert.Equal(60, (int)check.Properties["SavedCount"].Value);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private async Task<Uri> SlowVaultAsync(int latencyMs = 250)
    {
        var vault = await fixture.NewVaultAsync(prefix: "kill");
        var name = vault.Host.Split('.')[0];
        await fixture.Server.SeedAsync(name, new { secrets = 60, versions = 1, prefix = "k" });
        if (latencyMs > 0)
        {
            await fixture.Server.SetFaultsAsync(name, new { latencyMs, jitterMs = 0 });
        }

        return vault;
    }

    /// <summary>Starts the backup in another process, waits until it is writing its temporary file, and kills it.</summary>
    private async Task KillBackupMidRunAsync(Uri vault, string archive, int killAfterMs = 1000)
    {
        var directory = Path.GetDirectoryName(archive)!;
        var script = Path.Combine(directory, "backup.ps1");
        await File.WriteAllTextAsync(script, "param($Vault, $Archive) Get-KvObject -VaultUri $Vault | Backup-KvObject -Path $Archive -ThrottleLimit 1 -Force");
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(DemoDll());
        foreach (var a in new[] { "--script", script, $"Vault={vault}", $"Archive={archive}" })
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["IDENTITY_ENDPOINT"] = fixture.Server.IdentityEndpoint;
        psi.Environment["IDENTITY_HEADER"] = fixture.Server.IdentityHeader;
        psi.Environment["KVARCHIVE_TRUSTED_CERTIFICATE"] = fixture.Server.CertificatePath;
        var before = Directory.EnumerateFiles(directory, "*", new EnumerationOptions { AttributesToSkip = 0 }).ToHashSet(StringComparer.Ordinal);
        using var child = Process.Start(psi)!;
        var output = child.StandardOutput.ReadToEndAsync();
        var errors = child.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string? partial = null;
        while (partial is null && !child.HasExited && DateTime.UtcNow < deadline)
        {
            partial = Directory.EnumerateFiles(directory, "*.partial", new EnumerationOptions { AttributesToSkip = 0 }).FirstOrDefault(f => !before.Contains(f));
            Thread.Sleep(20);
        }

        Assert.NotNull(partial);
        Thread.Sleep(killAfterMs); // into the run: objects are being written to the temporary file
        if (child.HasExited)
        {
            Assert.Fail($"the backup ended before it could be killed: {await output} {await errors}");
        }

        child.Kill(entireProcessTree: true);
        await child.WaitForExitAsync();
        _ = await output;
    }

    private static string DemoDll()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var path = Path.Combine(LocalVaultServer.RepoRoot(), "tools", "KvArchive.Demo", "bin", configuration, "net10.0", "KvArchive.Demo.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("tools/KvArchive.Demo is not built", path);
    }
}
