using KvArchive.Module.Tests.Infrastructure;

namespace KvArchive.Module.Tests.Transfer;

/// <summary>
/// The end of a backup and a restore: the records stay the output, the summary comes after them on the information
/// stream (typed, tagged, complete or not), `$?` is false when anything was not saved, and progress shows percent
/// and time left once the total is known.
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class SummaryTests(ModuleFixture fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kvarchive-summary-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string VaultName(Uri vault) => vault.Host.Split('.')[0];

    [Fact]
    public async Task A_backup_and_its_restore_end_with_a_summary_after_the_records_and_outside_the_output()
    {
        var source = await fixture.NewVaultAsync();
        var target = await fixture.NewVaultAsync();
        await fixture.Server.SeedAsync(VaultName(source), new { secrets = 12, keys = 5, versions = 1, prefix = "sum" });
        var archive = Path.Combine(_directory, "summary.kva");
        using var session = fixture.NewSession();
        session.Set("Source", source).Set("Target", target).Set("Archive", archive);

        var backup = session.Run("Backup-KvObject -VaultUri $Source -AccessToken $Token -Path $Archive").EnsureSuccess();
        Assert.Equal(17, backup.Output.Count);
        Assert.All(backup.Output, o => Assert.Equal("KvArchive.Engine.Transfer.BackupRecord", o.BaseObject.GetType().FullName));
        var info = Assert.Single(backup.Information);
        Assert.Contains("KvArchive.Summary", info.Tags);
        Assert.Contains("PSHOST", info.Tags);
        dynamic summary = info.MessageData;
        Assert.Equal("KvArchive.Engine.Transfer.BackupSummary", ((object)summary).GetType().FullName);
        Assert.True((bool)summary.IsComplete);
        Assert.Equal(17, (int)summary.Saved);
        Assert.Equal(0, (int)summary.Errors);
        Assert.Equal(Path.GetFullPath(archive), (string)summary.Path);
        Assert.InRange((long)summary.Requests, 17 * 2, 1_000);
        Assert.Equal(0L, (long)summary.Throttled);
        Assert.StartsWith("Backup complete: 17 saved", info.ToString(), StringComparison.Ordinal);

        // By kind, nameable in a script, and a runbook's test of completeness reads naturally.
        var script = session.Run("""
            $null = Backup-KvObject -VaultUri $Source -AccessToken $Token -Path $Archive -Force -InformationVariable run 6>$null
            $s = $run.MessageData
            $s -is [KvArchive.Engine.Transfer.BackupSummary]
            $s.IsComplete
            ($s.Counts | Where-Object Type -eq 'Key').Count
            $sum = 0; foreach ($c in $s.Counts) { $sum += $c.Count }; $sum
            """).EnsureSuccess();
        Assert.Equal(["True", "True", "5", "17"], script.Output.Select(o => o.ToString()));

        var restore = session.Run("Restore-KvObject -Path $Archive -VaultUri $Target -AccessToken $Token").EnsureSuccess();
        Assert.Equal(17, restore.Output.Count);
        dynamic restored = Assert.Single(restore.Information).MessageData;
        Assert.Equal("KvArchive.Engine.Transfer.RestoreSummary", ((object)restored).GetType().FullName);
        Assert.True((bool)restored.IsComplete);
        Assert.Equal(17, (int)restored.Restored);
        Assert.Equal(Path.GetFullPath(archive), (string)restored.Path);

        // Again: every entry exists now, so all are skipped, and the run is still complete (skipped on purpose).
        var again = session.Run("Restore-KvObject -Path $Archive -VaultUri $Target -AccessToken $Token").EnsureSuccess();
        dynamic skipped = Assert.Single(again.Information).MessageData;
        Assert.Equal((17, true), ((int)skipped.Skipped, (bool)skipped.IsComplete));
    }

    [Fact]
    public async Task What_was_asked_for_and_not_saved_makes_the_run_incomplete_and_sets_the_status_false()
    {
        var source = await fixture.NewVaultAsync();
        await fixture.Server.SeedAsync(VaultName(source), new { secrets = 3, versions = 1, prefix = "here" });
        using var session = fixture.NewSession();
        session.Set("Source", source).Set("Archive", Path.Combine(_directory, "incomplete.kva"));

        var run = session.Run("""
            $records = Backup-KvObject -VaultUri $Source -AccessToken $Token -Type Secret -Name 'here*', 'not-there' -Path $Archive -InformationVariable info -ErrorVariable failures -ErrorAction SilentlyContinue
            $ok = $?
            $ok
            $failures.Count
            $info.MessageData.IsComplete
            $info.MessageData.Errors
            @($records).Count
            """);
        Assert.Equal(["False", "1", "False", "1", "3"], run.Output.Select(o => o.ToString()));
        Assert.Contains("INCOMPLETE", Assert.Single(run.Information).ToString(), StringComparison.Ordinal);

        // A restore from an archive that is not there: an error of the run, so not complete either.
        var restore = session.Run("""
            $null = Restore-KvObject -Path (Join-Path $Archive 'no-such.kva') -VaultUri $Source -AccessToken $Token -InformationVariable info -ErrorVariable failures -ErrorAction SilentlyContinue
            $?
            $failures.Count
            $info.MessageData.IsComplete
            $info.MessageData.Errors
            """);
        Assert.Equal(["False", "1", "False", "1"], restore.Output.Select(o => o.ToString()));

        // The whole run complete: $? stays true.
        var complete = session.Run("Backup-KvObject -VaultUri $Source -AccessToken $Token -Path $Archive -Force | Out-Null; $?").EnsureSuccess();
        Assert.Equal("True", complete.Output.Single().ToString());
    }

    [Fact]
    public async Task Restore_progress_shows_percent_and_time_left_from_the_start_and_skips_do_not_set_the_pace()
    {
        var source = await fixture.NewVaultAsync();
        var target = await fixture.NewVaultAsync();
        await fixture.Server.SeedAsync(VaultName(source), new { secrets = 40, versions = 1, prefix = "pro" });
        var archive = Path.Combine(_directory, "progress.kva");
        using var session = fixture.NewSession();
        session.Set("Source", source).Set("Target", target).Set("Archive", archive);
        session.Run("Backup-KvObject -VaultUri $Source -AccessToken $Token -Path $Archive | Out-Null").EnsureSuccess();

        // Half the names exist in the target already (skipped at once); the rest take 60 ms a call.
        session.Run("@(Get-KvArchiveItem -Path $Archive)[0..19] | Restore-KvObject -VaultUri $Target -AccessToken $Token | Out-Null").EnsureSuccess();
        await fixture.Server.SetFaultsAsync(VaultName(target), new { latencyMs = 60, jitterMs = 0 });
        var run = session.Run("Restore-KvObject -Path $Archive -VaultUri $Target -AccessToken $Token -ThrottleLimit 2", allStreams: true).EnsureSuccess();
        await fixture.Server.ClearFaultsAsync(VaultName(target));

        var during = run.Progress.Where(p => p.RecordType == System.Management.Automation.ProgressRecordType.Processing).ToList();
        Assert.NotEmpty(during);
        Assert.All(during, p => Assert.Contains("of 40 objects", p.StatusDescription, StringComparison.Ordinal));
        Assert.Contains(during, p => p.PercentComplete is > 0 and < 100 && p.SecondsRemaining > 0);
        Assert.Contains(during, p => p.StatusDescription.Contains("skipped)", StringComparison.Ordinal));
        dynamic summary = Assert.Single(run.Information).MessageData;
        Assert.Equal((20, 20), ((int)summary.Restored, (int)summary.Skipped));
    }
}
