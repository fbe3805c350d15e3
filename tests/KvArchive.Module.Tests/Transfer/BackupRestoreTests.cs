using System.Management.Automation;
using KvArchive.Module.Tests.Infrastructure;

namespace KvArchive.Module.Tests.Transfer;

/// <summary>Backup-KvObject, Test-KvArchive, Get-KvArchiveItem and Restore-KvObject through the module.</summary>
[Collection(ModuleCollection.Name)]
public sealed class BackupRestoreTests(ModuleFixture fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kvarchive-module-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string VaultName(Uri vault) => vault.Host.Split('.')[0];

    private static Dictionary<string, int> CountBy(PsRun run, string property) =>
        run.Output.GroupBy(o => o.Properties[property].Value.ToString()!).ToDictionary(g => g.Key, g => g.Count());

    private static Dictionary<string, string?> Versions(PsRun run) =>
        run.Output.ToDictionary(o => $"{o.Properties["Type"].Value}/{o.Properties["Name"].Value}/{o.Properties["Version"].Value}", o => o.Properties["UpdatedOn"].Value?.ToString());

    [Fact]
    public async Task Two_hundred_objects_round_trip_into_another_vault()
    {
        var source = await fixture.NewVaultAsync();
        var target = await fixture.NewVaultAsync();
        await fixture.Server.SeedAsync(VaultName(source), new { secrets = 120, keys = 50, certificates = 30, versions = 2, prefix = "rt" });
        var archive = Path.Combine(_directory, "round-trip.kva");
        using var session = fixture.NewSession();
        session.Set("Source", source).Set("Target", target).Set("Archive", archive);

        var backup = session.Run("Get-KvObject -VaultUri $Source -AccessToken $Token | Backup-KvObject -Path $Archive -AccessToken $Token").EnsureSuccess();
        var backupCounts = CountBy(backup, "Status");
        Assert.Equal(200, backupCounts["Saved"]);
        Assert.Equal(60, backupCounts["Skipped"]); // each certificate's managed key and secret
        Assert.All(backup.Output, o => Assert.Equal("KvArchive.Engine.Transfer.BackupRecord", o.BaseObject.GetType().FullName));
        Assert.True(File.Exists(archive));

        var check = session.Run("Test-KvArchive -Path $Archive").EnsureSuccess().Output.Single();
        Assert.True((bool)check.Properties["IsValid"].Value);
        Assert.Equal(200, (int)check.Properties["VerifiedCount"].Value);

        var items = session.Run("Get-KvArchiveItem -Path $Archive").EnsureSuccess();
        Assert.Equal(260, items.Output.Count);

        var restore = session.Run("Get-KvArchiveItem -Path $Archive | Restore-KvObject -VaultUri $Target -AccessToken $Token").EnsureSuccess();
        Assert.Equal(200, CountBy(restore, "Status")["Restored"]);
        Assert.Equal(260, restore.Output.Count);

        // Every version of every object is back, with the same version ids and update times.
        var before = session.Run("Get-KvObject -VaultUri $Source -AccessToken $Token -IncludeVersions").EnsureSuccess();
        var after = session.Run("Get-KvObject -VaultUri $Target -AccessToken $Token -IncludeVersions").EnsureSuccess();
        Assert.Equal(Versions(before), Versions(after));
        var values = session.Run("""
            foreach ($vault in $Source, $Target) { @(Get-KvObject -VaultUri $vault -AccessToken $Token -Type Secret -Name 'rt*')[0..2] | Get-KvSecret -AccessToken $Token -AsPlainText }
            """).EnsureSuccess().Output.Select(o => (string)o.BaseObject).ToList();
        Assert.Equal(6, values.Count);
        Assert.Equal(values[..3], values[3..]);
    }

    [Fact]
    public async Task Restore_plans_conflicts_WhatIf_shows_the_plan_and_policies_decide()
    {
        var source = await fixture.NewVaultAsync();
        var target = await fixture.NewVaultAsync();
        var archive = Path.Combine(_directory, "conflicts.kva");
        using var session = fixture.NewSession();
        session.Set("Source", source).Set("Target", target).Set("Archive", archive).Set("Value", ModuleFixture.ToSecureString("v1"));
        session.Run("""
            'free', 'live', 'gone' | ForEach-Object { Set-KvSecret -VaultUri $Source -AccessToken $Token -Name $_ -SecretValue $Value }
            Backup-KvObject -VaultUri $Source -AccessToken $Token -Path $Archive
            'live', 'gone' | ForEach-Object { Set-KvSecret -VaultUri $Target -AccessToken $Token -Name $_ -SecretValue $Value }
            Remove-KvObject -VaultUri $Target -AccessToken $Token -Type Secret -Name gone -Force
            """).EnsureSuccess();
        Assert.True(File.Exists(archive));

        // -WhatIf: the plan, as a plan: one record per entry in input order, in the future tense, no error (nothing was
        // tried), then one line of totals (the summary, on the information stream); and nothing changes.
        var plan = session.Run("Restore-KvObject -Path $Archive -VaultUri $Target -AccessToken $Token -WhatIf").EnsureSuccess();
        var order = session.Run("(Get-KvArchiveItem -Path $Archive).Name").EnsureSuccess().Output.Select(o => o.ToString());
        Assert.Equal(order, plan.Output.Select(o => (string)o.Properties["Name"].Value));
        Assert.All(plan.Output, o => Assert.Equal("Planned", o.Properties["Status"].Value.ToString()));
        var reasons = plan.Output.ToDictionary(o => (string)o.Properties["Name"].Value, o => (string)o.Properties["Reason"].Value);
        Assert.Equal("would restore", reasons["free"]);
        Assert.Equal("would skip: exists", reasons["live"]);
        Assert.Equal("would fail: soft-deleted", reasons["gone"]);
        Assert.Contains(plan.Output, o => (string)o.Properties["Name"].Value == "free" && o.Properties["TargetState"].Value.ToString() == "Free");
        var totals = Assert.Single(plan.Information);
        Assert.StartsWith("Restore plan for 3 entries (3 secrets): 1 would restore, 0 would purge and restore, 1 would skip, 1 would fail; nothing was changed.", totals.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("was not restored", plan.AllText(), StringComparison.Ordinal);
        Assert.Equal(["live"], session.Run("(Get-KvObject -VaultUri $Target -AccessToken $Token).Name").EnsureSuccess().Output.Select(o => o.ToString()));

        // Defaults: free restored, live skipped, soft-deleted fails naming the way out.
        var run = session.Run("Restore-KvObject -Path $Archive -VaultUri $Target -AccessToken $Token");
        var statuses = run.Output.ToDictionary(o => (string)o.Properties["Name"].Value, o => o.Properties["Status"].Value.ToString());
        Assert.Equal("Restored", statuses["free"]);
        Assert.Equal("Skipped", statuses["live"]);
        Assert.Equal("Failed", statuses["gone"]);
        var softDeleted = Assert.Single(run.Errors);
        Assert.Equal(ErrorCategory.ResourceExists, softDeleted.CategoryInfo.Category);
        Assert.StartsWith("KvObjectSoftDeleted", softDeleted.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("-SoftDeletedPolicy Purge", softDeleted.ErrorDetails.RecommendedAction, StringComparison.Ordinal);

        // -ExistingPolicy Fail: an error per existing name.
        var strict = session.Run("Restore-KvObject -Path $Archive -VaultUri $Target -AccessToken $Token -Name free,live -ExistingPolicy Fail");
        Assert.Equal(2, strict.Errors.Count);
        Assert.All(strict.Errors, e => Assert.Equal(ErrorCategory.ResourceExists, e.CategoryInfo.Category));

        // -SoftDeletedPolicy Purge in a host that cannot prompt needs -Force, and says so before doing anything.
        var (refused, _) = session.RunCatching("Restore-KvObject -Path $Archive -VaultUri $Target -AccessToken $Token -Name gone -SoftDeletedPolicy Purge");
        Assert.NotNull(refused);
        Assert.Contains("-Force", refused.Exception.Message, StringComparison.Ordinal);
        Assert.Single(session.Run("Get-KvObject -VaultUri $Target -AccessToken $Token -InRemovedState").EnsureSuccess().Output);

        var purged = session.Run("Restore-KvObject -Path $Archive -VaultUri $Target -AccessToken $Token -Name gone -SoftDeletedPolicy Purge -Force").EnsureSuccess();
        Assert.Equal("Restored", purged.Output.Single().Properties["Status"].Value.ToString());

        // What was there before the restore: soft-deleted (the purge made it free).
        Assert.Equal("SoftDeleted", purged.Output.Single().Properties["TargetState"].Value.ToString());
        Assert.Empty(session.Run("Get-KvObject -VaultUri $Target -AccessToken $Token -InRemovedState").EnsureSuccess().Output);
        Assert.Equal(["free", "gone", "live"], session.Run("(Get-KvObject -VaultUri $Target -AccessToken $Token).Name").EnsureSuccess().Output.Select(o => o.ToString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Purge_during_restore_asks_in_an_interactive_host()
    {
        var source = await fixture.NewVaultAsync();
        var archive = Path.Combine(_directory, "ask.kva");
        using var session = fixture.NewSession(interactive: true);
        session.Set("Source", source).Set("Archive", archive).Set("Value", ModuleFixture.ToSecureString("v1"));
        session.Run("""
            Set-KvSecret -VaultUri $Source -AccessToken $Token -Name asked -SecretValue $Value
            Backup-KvObject -VaultUri $Source -AccessToken $Token -Path $Archive
            Remove-KvObject -VaultUri $Source -AccessToken $Token -Type Secret -Name asked -Force
            """).EnsureSuccess();

        session.Host.ChoiceAnswers.Enqueue(2); // No
        var declined = session.Run("Restore-KvObject -Path $Archive -VaultUri $Source -AccessToken $Token -SoftDeletedPolicy Purge");
        Assert.Equal(1, session.Host.Prompts);
        Assert.Equal("Planned", declined.Output.Single().Properties["Status"].Value.ToString());
        Assert.Single(session.Run("Get-KvObject -VaultUri $Source -AccessToken $Token -InRemovedState").EnsureSuccess().Output);

        session.Host.ChoiceAnswers.Enqueue(0); // Yes
        var accepted = session.Run("Restore-KvObject -Path $Archive -VaultUri $Source -AccessToken $Token -SoftDeletedPolicy Purge").EnsureSuccess();
        Assert.Equal(1, session.Host.Prompts);
        Assert.Equal("Restored", accepted.Output.Single().Properties["Status"].Value.ToString());
    }

    [Fact]
    public async Task An_existing_archive_is_replaced_only_with_Force_and_WhatIf_writes_nothing()
    {
        var source = await fixture.NewVaultAsync();
        var archive = Path.Combine(_directory, "existing.kva");
        File.WriteAllText(archive, "not an archive");
        using var session = fixture.NewSession();
        session.Set("Source", source).Set("Archive", archive).Set("Value", ModuleFixture.ToSecureString("v1"));
        session.Run("Set-KvSecret -VaultUri $Source -AccessToken $Token -Name one -SecretValue $Value").EnsureSuccess();

        var (refused, _) = session.RunCatching("Backup-KvObject -VaultUri $Source -AccessToken $Token -Path $Archive");
        Assert.NotNull(refused);
        Assert.StartsWith("KvArchiveExists", refused.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal("not an archive", File.ReadAllText(archive));

        var whatIf = Path.Combine(_directory, "whatif.kva");
        session.Set("WhatIfPath", whatIf);
        var preview = session.Run("Backup-KvObject -VaultUri $Source -AccessToken $Token -Name one -Path $WhatIfPath -WhatIf -Verbose").EnsureSuccess();
        Assert.False(File.Exists(whatIf));
        Assert.Empty(preview.Output);
        Assert.Contains(preview.Verbose, v => v.Message.Contains("'one'", StringComparison.Ordinal));

        session.Run("Backup-KvObject -VaultUri $Source -AccessToken $Token -Path $Archive -Force").EnsureSuccess();
        Assert.True((bool)session.Run("Test-KvArchive -Path $Archive").EnsureSuccess().Output.Single().Properties["IsValid"].Value);
        Assert.Equal(["existing.kva"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Test_KvArchive_names_each_damaged_entry()
    {
        var source = await fixture.NewVaultAsync();
        var archive = Path.Combine(_directory, "damaged.kva");
        using var session = fixture.NewSession();
        session.Set("Source", source).Set("Archive", archive).Set("Value", ModuleFixture.ToSecureString("v1"));
        session.Run("""
            'alpha', 'beta' | ForEach-Object { Set-KvSecret -VaultUri $Source -AccessToken $Token -Name $_ -SecretValue $Value }
            Backup-KvObject -VaultUri $Source -AccessToken $Token -Path $Archive
            """).EnsureSuccess();

        // Flip one byte in the middle of beta's blob (a stored ZIP entry: its bytes are in the file as they are).
        var item = session.Run("Get-KvArchiveItem -Path $Archive -Name beta").EnsureSuccess().Output.Single();
        var bytes = File.ReadAllBytes(archive);
        var sha = (string)item.Properties["Sha256"].Value;
        var size = (long)item.Properties["Size"].Value;
        var offset = FindBlobOffset(bytes, size, sha);
        bytes[offset + (size / 2)] ^= 0xFF;
        File.WriteAllBytes(archive, bytes);

        var run = session.Run("Test-KvArchive -Path $Archive");
        var result = run.Output.Single();
        Assert.False((bool)result.Properties["IsValid"].Value);
        Assert.Contains(run.Errors, e => e.FullyQualifiedErrorId.StartsWith("KvArchiveEntryInvalid", StringComparison.Ordinal)
            && e.CategoryInfo.Category == ErrorCategory.InvalidData
            && (e.TargetObject?.ToString() ?? string.Empty).Contains("beta", StringComparison.Ordinal));
        Assert.DoesNotContain(run.Errors, e => (e.TargetObject?.ToString() ?? string.Empty).Contains("alpha", StringComparison.Ordinal));

        // A verification states what is damaged; it restored nothing, so it says nothing of a restore.
        var entryError = run.Errors.First(e => e.FullyQualifiedErrorId.StartsWith("KvArchiveEntryInvalid", StringComparison.Ordinal));
        Assert.Matches("beta.* is damaged: .*\\.$", entryError.Exception.Message);
        Assert.DoesNotContain("restored", entryError.Exception.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("another copy of the archive", entryError.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
    }

    private static long FindBlobOffset(byte[] file, long size, string sha256)
    {
        for (var i = 0; i + size <= file.Length; i++)
        {
            // Local file header signature, then the stored data after name and extra field.
            if (file[i] == 0x50 && file[i + 1] == 0x4b && file[i + 2] == 0x03 && file[i + 3] == 0x04)
            {
                var nameLength = BitConverter.ToUInt16(file, i + 26);
                var extraLength = BitConverter.ToUInt16(file, i + 28);
                var data = i + 30 + nameLength + extraLength;
                if (data + size <= file.Length
                    && Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file.AsSpan(data, (int)size))) == sha256)
                {
                    return data;
                }
            }
        }

        throw new InvalidOperationException("blob not found in the archive");
    }

    [Fact]
    public async Task Stopping_the_pipeline_mid_backup_leaves_no_archive_and_Resume_continues_it()
    {
        var source = await fixture.NewVaultAsync();
        await fixture.Server.SeedAsync(VaultName(source), new { secrets = 150, keys = 0, certificates = 0, versions = 1, prefix = "slow" });

        // Times are whole seconds: a saved object is kept only when its last update was over before its backup.
        await Task.Delay(2500);
        await fixture.Server.SetFaultsAsync(VaultName(source), new { latencyMs = 60 });
        var archive = Path.Combine(_directory, "stopped.kva");
        using var session = fixture.NewSession();
        session.Set("Source", source).Set("Archive", archive);

        int reported;
        using (var ps = session.CreatePowerShell())
        {
            ps.AddScript("Get-KvObject -VaultUri $Source -AccessToken $Token | Backup-KvObject -Path $Archive -AccessToken $Token -ThrottleLimit 2");
            var output = new PSDataCollection<PSObject>();
            var firstRecords = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            output.DataAdded += (_, _) =>
            {
                if (output.Count >= 3)
                {
                    firstRecords.TrySetResult();
                }
            };
            _ = ps.BeginInvoke<PSObject, PSObject>(null, output);
            var arrived = await Task.WhenAny(firstRecords.Task, Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.Same(firstRecords.Task, arrived);

            await Task.Factory.FromAsync(ps.BeginStop(null, null), ps.EndStop);
            Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
            Assert.True(output.Count < 150, $"the backup should have been stopped early, got {output.Count} records");
            reported = output.Count;
        }

        // Nothing at the path; beside it, hidden, what the stopped run saved.
        Assert.False(File.Exists(archive));
        var leftover = Assert.Single(Directory.GetFiles(_directory));
        Assert.StartsWith(".stopped.kva.", Path.GetFileName(leftover), StringComparison.Ordinal);

        // The same command with -Resume backs up the rest only, and leaves one whole archive.
        await fixture.Server.ClearFaultsAsync(VaultName(source));
        var run = session.Run("Get-KvObject -VaultUri $Source -AccessToken $Token | Backup-KvObject -Path $Archive -AccessToken $Token -Resume -InformationVariable info; $info[-1].MessageData").EnsureSuccess();
        var summary = run.Output[^1];
        var kept = (int)summary.Properties["Copied"].Value;
        Assert.InRange(kept, reported, 149);
        Assert.Equal(150 - kept, (int)summary.Properties["Saved"].Value);
        Assert.True((bool)summary.Properties["IsComplete"].Value);
        Assert.Equal(["stopped.kva"], Directory.GetFiles(_directory).Select(Path.GetFileName));
        var check = session.Run("Test-KvArchive -Path $Archive").EnsureSuccess().Output.Single();
        Assert.True((bool)check.Properties["IsComplete"].Value);
        Assert.Equal(150, (int)check.Properties["SavedCount"].Value);
    }
}
