using Azure.Security.KeyVault.Secrets;
using KvArchive.Engine.Archive;
using KvArchive.Engine.Tests.Archive;
using KvArchive.Engine.Tests.Hosting;
using KvArchive.Engine.Tests.Vault.Infrastructure;
using KvArchive.Engine.Transfer;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Transfer;

/// <summary>Whole-vault backups and restores against a real LocalVault over HTTPS.</summary>
[Trait("Category", "LocalVault")]
public sealed class TransferLocalVaultTests(VaultFixture fixture) : IClassFixture<VaultFixture>, IDisposable
{
    private readonly string _folder = ArchiveTestData.NewFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly KvObjectType[] SecretsAndKeys = [KvObjectType.Secret, KvObjectType.Key];

    private string ArchivePath => Path.Combine(_folder, "vault.kva");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_vault_of_every_kind_round_trips_with_every_version_attribute_tag_and_content_type(bool certificates)
    {
        var kinds = certificates ? new[] { KvObjectType.Secret, KvObjectType.Key, KvObjectType.Certificate } : [KvObjectType.Secret, KvObjectType.Key];
        var source = await fixture.NewVaultAsync(prefix: "src");
        await fixture.Server.SeedAsync(source, new { secrets = 150, keys = 45, certificates = certificates ? 8 : 0, versions = 2, prefix = "seed" });
        var client = await fixture.ConnectAsync(source);
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        for (var i = 0; i < 4; i++)
        {
            await client.SetSecretAsync("many-versions", $"v{i}", new KvSecretSetOptions
            {
                ContentType = i % 2 == 0 ? "application/json" : "text/plain",
                Tags = new Dictionary<string, string> { ["round"] = $"{i}", ["team"] = "payments" },
                Enabled = i != 1,
            }, default);
        }

        await client.SetSecretAsync("disabled", "x", new KvSecretSetOptions { Enabled = false, ContentType = "text/plain" }, default);
        await client.SetSecretAsync("expired", "x", new KvSecretSetOptions { ExpiresOn = now.AddDays(-3) }, default);
        await client.SetSecretAsync("not-yet-valid", "x", new KvSecretSetOptions { NotBefore = now.AddDays(10), ExpiresOn = now.AddDays(400) }, default);
        await client.SetSecretAsync("tagged", "x", new KvSecretSetOptions { Tags = new Dictionary<string, string> { ["a"] = "1", ["b"] = "two words", ["empty"] = "" } }, default);
        await client.CreateKeyAsync("rsa-several", new KvKeyCreateOptions { KeyType = "RSA", KeySize = 2048 }, default);
        await client.CreateKeyAsync("rsa-several", new KvKeyCreateOptions { KeyType = "RSA", KeySize = 2048, Tags = new Dictionary<string, string> { ["gen"] = "2" } }, default);
        await client.CreateKeyAsync("ec-disabled", new KvKeyCreateOptions { KeyType = "EC", CurveName = "P-256", Enabled = false, ExpiresOn = now.AddDays(30) }, default);
        await client.UpdateAsync(KvObjectType.Secret, "tagged", null, new KvPropertyUpdate { ContentType = "text/csv" }, default);

        var before = await LocalVaultTransfer.SnapshotAsync(client, kinds);
        Assert.True(before.Select(r => r.Key[..r.Key.LastIndexOf('/')]).Distinct().Count() >= 200);

        var factory = await LocalVaultTransfer.FactoryAsync(fixture);
        using var backupHost = new RecordingHost();
        var saved = await LocalVaultTransfer.BackupAsync(backupHost, factory, ArchivePath, fixture.Server.VaultUri(source), kinds);
        Assert.Empty(backupHost.Errors.Select(e => e.Exception.Message));
        Assert.Equal(0, saved.Failed);

        // The summary: complete, counts by kind adding up, the requests the run made.
        Assert.True(saved.IsComplete);
        Assert.Equal(Path.GetFullPath(ArchivePath), saved.Path);
        Assert.Equal(saved.Total, saved.Counts.Sum(c => c.Count));
        Assert.Equal(kinds.Order(), saved.Counts.Select(c => c.Type).Distinct().Order());
        // At least its backup per saved object (one request each since versions come from the listing).
        Assert.InRange(saved.Requests, saved.Saved, 100_000);
        var check = ArchiveReader.Verify(ArchivePath);
        Assert.True(check.IsValid, string.Join("\n", check.Errors.Select(e => e.Exception.Message)));
        if (certificates)
        {
            // Each certificate's managed key and secret are listed and skipped.
            Assert.Equal(16, saved.Skipped);
            Assert.All(backupHost.Records.Cast<BackupRecord>().Where(r => r.Status == BackupStatus.Skipped), r => Assert.Contains("certificate", r.Reason));
        }

        var target = await fixture.NewVaultAsync(prefix: "dst");
        using var restoreHost = new RecordingHost();
        var restored = await LocalVaultTransfer.RestoreAsync(restoreHost, factory, ArchivePath, new RestoreOptions { TargetVaultUri = fixture.Server.VaultUri(target) });
        Assert.Empty(restoreHost.Errors.Select(e => e.Exception.Message));
        Assert.Equal(saved.Saved, restored.Restored);
        Assert.True(restored.IsComplete);
        Assert.Equal([Path.GetFullPath(ArchivePath)], restored.Paths);
        Assert.InRange(restored.Requests, restored.Restored, 100_000);

        var after = await LocalVaultTransfer.SnapshotAsync(await fixture.ConnectAsync(target), kinds);
        Assert.Equal(before.Keys, after.Keys);
        foreach (var (key, row) in before)
        {
            Assert.Equal($"{key}: {row}", $"{key}: {after[key]}");
        }
    }

    [Fact]
    public async Task Each_conflict_policy_does_what_it_says_and_WhatIf_changes_nothing()
    {
        var source = await fixture.NewVaultAsync(prefix: "src");
        var sourceClient = await fixture.ConnectAsync(source);
        foreach (var name in new[] { "free", "exists", "gone" })
        {
            await sourceClient.SetSecretAsync(name, "archived", new KvSecretSetOptions { Tags = new Dictionary<string, string> { ["from"] = "archive" } }, default);
        }

        var factory = await LocalVaultTransfer.FactoryAsync(fixture);
        await LocalVaultTransfer.BackupAsync(new RecordingHost(), factory, ArchivePath, fixture.Server.VaultUri(source), SecretsAndKeys);

        var target = await fixture.NewVaultAsync(new { deleteDelayMs = 300 }, prefix: "dst");
        var targetUri = fixture.Server.VaultUri(target);
        var targetClient = await fixture.ConnectAsync(target);
        await targetClient.SetSecretAsync("exists", "live", new KvSecretSetOptions(), default);
        await targetClient.SetSecretAsync("gone", "deleted", new KvSecretSetOptions(), default);
        await targetClient.DeleteAndWaitAsync(KvObjectType.Secret, "gone", null, default);

        // -WhatIf: the plan, nothing changed.
        using (var host = new RecordingHost(shouldProcess: false))
        {
            var plan = await LocalVaultTransfer.RestoreAsync(host, factory, ArchivePath, new RestoreOptions { TargetVaultUri = targetUri, SoftDeletedPolicy = SoftDeletedObjectPolicy.Purge });
            Assert.Equal((2, 1, 0, 0), (plan.Planned, plan.Skipped, plan.Restored, plan.Failed));
            var states = host.Records.Cast<RestoreRecord>().ToDictionary(r => r.Name, r => r.TargetState);
            Assert.Equal(KvNameState.Free, states["free"]);
            Assert.Equal(KvNameState.Exists, states["exists"]);
            Assert.Equal(KvNameState.SoftDeleted, states["gone"]);
            Assert.Contains(host.ShouldProcessCalls, c => c.Target.Contains("'gone'", StringComparison.Ordinal) && c.Action.StartsWith("Purge", StringComparison.Ordinal));
            Assert.Equal(KvNameState.Free, await targetClient.GetNameStateAsync(KvObjectType.Secret, "free", default));
            Assert.Equal(KvNameState.SoftDeleted, await targetClient.GetNameStateAsync(KvObjectType.Secret, "gone", default));
        }

        // A plan (-WhatIf): nothing asked or changed, every record in the future tense, in input order, no errors.
        using (var host = new RecordingHost(shouldProcess: true))
        {
            var plan = await LocalVaultTransfer.RestoreAsync(host, factory, ArchivePath, new RestoreOptions { TargetVaultUri = targetUri, PlanOnly = true });
            Assert.Equal((3, 0, 0, 0), (plan.Planned, plan.Skipped, plan.Restored, plan.Failed));
            Assert.True(plan.WhatIf);
            Assert.False(plan.IsComplete);
            Assert.Empty(host.ShouldProcessCalls);
            Assert.Empty(host.Errors);
            var records = host.Records.Cast<RestoreRecord>().ToList();
            Assert.All(records, r => Assert.Equal(RestoreStatus.Planned, r.Status));
            var reasons = records.ToDictionary(r => r.Name, r => r.Reason);
            Assert.Equal("would restore", reasons["free"]);
            Assert.Equal("would skip: exists", reasons["exists"]);
            Assert.Equal("would fail: soft-deleted", reasons["gone"]);
            Assert.Contains(plan.Counts, c => c.Status == "WouldFail" && c.Count == 1);
            Assert.Equal(KvNameState.Free, await targetClient.GetNameStateAsync(KvObjectType.Secret, "free", default));
        }

        // Defaults: exists → skipped, soft-deleted → failed, free → restored.
        using (var host = new RecordingHost())
        {
            var result = await LocalVaultTransfer.RestoreAsync(host, factory, ArchivePath, new RestoreOptions { TargetVaultUri = targetUri });
            var records = host.Records.Cast<RestoreRecord>().ToDictionary(r => r.Name, r => r.Status);
            Assert.Equal(RestoreStatus.Restored, records["free"]);
            Assert.Equal(RestoreStatus.Skipped, records["exists"]);
            Assert.Equal(RestoreStatus.Failed, records["gone"]);
            Assert.Equal(KvErrorIds.ObjectSoftDeleted, Assert.Single(host.Errors).Exception.ErrorId);
            Assert.Equal("archive", (await targetClient.GetAsync(KvObjectType.Secret, "free", null, default)).Tags["from"]);
            Assert.Empty((await targetClient.GetAsync(KvObjectType.Secret, "exists", null, default)).Tags);
        }

        // ExistingPolicy Fail and SoftDeletedPolicy Purge.
        using (var host = new RecordingHost())
        {
            var result = await LocalVaultTransfer.RestoreAsync(host, factory, ArchivePath, new RestoreOptions
            {
                TargetVaultUri = targetUri,
                ExistingPolicy = ExistingObjectPolicy.Fail,
                SoftDeletedPolicy = SoftDeletedObjectPolicy.Purge,
                StateWaitInitialDelay = TimeSpan.FromMilliseconds(100),
            });
            var records = host.Records.Cast<RestoreRecord>().ToDictionary(r => r.Name, r => r.Status);
            Assert.Equal(RestoreStatus.Failed, records["free"]);
            Assert.Equal(RestoreStatus.Failed, records["exists"]);
            Assert.Equal(RestoreStatus.Restored, records["gone"]);
            Assert.All(host.Errors, e => Assert.Equal(KvErrorIds.ObjectExists, e.Exception.ErrorId));
            Assert.Equal(2, host.Errors.Count);
            Assert.Single(host.ShouldProcessCalls, c => c.Action.StartsWith("Purge", StringComparison.Ordinal));
            Assert.Equal("archive", (await targetClient.GetAsync(KvObjectType.Secret, "gone", null, default)).Tags["from"]);

            // The record says what was there before the restore: soft-deleted, not the free name the purge left.
            Assert.Equal(KvNameState.SoftDeleted, host.Records.Cast<RestoreRecord>().Single(r => r.Name == "gone").TargetState);
            Assert.False(result.IsComplete);
            Assert.Equal(2, result.Errors);
        }
    }

    [Fact]
    public async Task A_restore_into_another_geography_fails_each_entry_once_with_the_service_reason()
    {
        var source = await fixture.NewVaultAsync(prefix: "src");
        await fixture.Server.SeedAsync(source, new { secrets = 6, keys = 3, versions = 1, prefix = "geo" });
        var factory = await LocalVaultTransfer.FactoryAsync(fixture);
        var saved = await LocalVaultTransfer.BackupAsync(new RecordingHost(), factory, ArchivePath, fixture.Server.VaultUri(source), SecretsAndKeys);
        Assert.Equal(9, saved.Saved);

        var target = await fixture.NewVaultAsync(new { geography = "othergeo" }, prefix: "geo");
        await fixture.Server.ResetStatsAsync(target);
        using var host = new RecordingHost();
        var result = await LocalVaultTransfer.RestoreAsync(host, factory, ArchivePath, new RestoreOptions { TargetVaultUri = fixture.Server.VaultUri(target) });

        Assert.Equal((0, 9), (result.Restored, result.Failed));
        Assert.Equal(9, host.Errors.Count);
        Assert.All(host.Errors, e =>
        {
            Assert.Equal(KvErrorKind.InvalidArgument, e.Exception.Kind);
            Assert.Equal(400, e.Exception.Status);
            Assert.IsType<ArchiveItem>(e.Target);
        });
        Assert.All(host.Records.Cast<RestoreRecord>(), r => Assert.False(string.IsNullOrWhiteSpace(r.Reason)));
        var stats = await fixture.Server.GetStatsAsync(target);
        Assert.Equal(9, (int)stats["byStatus"]!["400"]!);
    }

    [Fact]
    public async Task A_storm_of_429s_without_Retry_After_completes_with_zero_failures()
    {
        var source = await fixture.NewVaultAsync(prefix: "src");
        await fixture.Server.SeedAsync(source, new { secrets = 120, versions = 1, prefix = "storm" });
        await fixture.Server.SetFaultsAsync(source, new
        {
            rules = new object[]
            {
                new { method = "POST", pathRegex = "/backup$", status = 429, count = 80 },
                new { method = "GET", pathRegex = "/versions", status = 429, count = 40 },
            },
        });
        var factory = await LocalVaultTransfer.FactoryAsync(fixture, maxRetries: 6);
        using var host = new RecordingHost();
        var limiter = new AdaptiveRateLimiter();
        var summary = await LocalVaultTransfer.OnOwnThread(() =>
        {
            using var session = BackupSession.Start(host, new BackupOptions { Path = ArchivePath, ThrottleLimit = 16, VaultUri = fixture.Server.VaultUri(source), RateLimiter = limiter }, factory);
            session.AddVault(types: [KvObjectType.Secret]);
            return session.Complete();
        });

        Assert.Empty(host.Errors.Select(e => e.Exception.Message));
        Assert.Equal((120, 0), (summary.Saved, summary.Failed));
        Assert.True(limiter.ThrottledCount >= 120, $"the limiter saw {limiter.ThrottledCount} 429s");
        Assert.True(limiter.DecreaseCount >= 1);
        var stats = await fixture.Server.GetStatsAsync(source);
        Assert.Equal(120, (int)stats["byStatus"]!["429"]!);
        using var reader = ArchiveReader.Open(ArchivePath);
        Assert.Equal(120, reader.Items.Count(i => i.Status == ArchiveEntryStatus.Saved));
    }

    [Fact]
    public async Task An_archived_blob_restores_through_the_plain_SDK()
    {
        var source = await fixture.NewVaultAsync(prefix: "src");
        var client = await fixture.ConnectAsync(source);
        for (var i = 0; i < 3; i++)
        {
            await client.SetSecretAsync("sdk", $"value-{i}", new KvSecretSetOptions { ContentType = "text/plain", Tags = new Dictionary<string, string> { ["i"] = $"{i}" } }, default);
        }

        var factory = await LocalVaultTransfer.FactoryAsync(fixture);
        await LocalVaultTransfer.BackupAsync(new RecordingHost(), factory, ArchivePath, fixture.Server.VaultUri(source), SecretsAndKeys);
        byte[] blob;
        using (var reader = ArchiveReader.Open(ArchivePath))
        {
            blob = reader.ReadBlob(reader.Items.Single(i => i.Name == "sdk"));
        }

        // What a user does with an extracted entry: Restore-AzKeyVaultSecret -InputFile / az keyvault secret restore --file.
        var target = await fixture.NewVaultAsync(prefix: "sdk");
        var sdk = new SecretClient(fixture.Server.VaultUri(target), fixture.Server.CreateCredential(), new SecretClientOptions { Transport = fixture.Server.CreateTransport() });
        var restored = await sdk.RestoreSecretBackupAsync(blob);
        Assert.Equal("sdk", restored.Value.Name);
        Assert.Equal("value-2", (await sdk.GetSecretAsync("sdk")).Value.Value);
        var versions = new List<string>();
        await foreach (var v in sdk.GetPropertiesOfSecretVersionsAsync("sdk"))
        {
            versions.Add(v.Version);
        }

        var original = await client.ListVersionsAsync(KvObjectType.Secret, "sdk", default).Select(v => v.Version!).ToListAsync();
        Assert.Equal(original.Order(), versions.Order());
    }

    [Fact]
    public async Task Cancelling_a_backup_against_a_slow_vault_leaves_the_previous_archive()
    {
        var source = await fixture.NewVaultAsync(prefix: "src");
        await fixture.Server.SeedAsync(source, new { secrets = 60, versions = 1, prefix = "slow" });
        var factory = await LocalVaultTransfer.FactoryAsync(fixture);
        await LocalVaultTransfer.BackupAsync(new RecordingHost(), factory, ArchivePath, fixture.Server.VaultUri(source), SecretsAndKeys);
        var before = await File.ReadAllBytesAsync(ArchivePath);

        await fixture.Server.SetFaultsAsync(source, new { latencyMs = 150 });
        using var host = new RecordingHost { CancelAfterRecords = 4 };
        var e = await Assert.ThrowsAsync<KvException>(() => LocalVaultTransfer.BackupAsync(host, factory, ArchivePath, fixture.Server.VaultUri(source), SecretsAndKeys, throttle: 4));
        var stopped = DateTimeOffset.UtcNow;
        Assert.Equal(KvErrorIds.Cancelled, e.ErrorId);
        Assert.Contains("left as it was", e.Message);
        Assert.True(stopped - host.CancelledAt < TimeSpan.FromSeconds(2), $"stopped {stopped - host.CancelledAt} after the cancellation");
        Assert.Equal(before, await File.ReadAllBytesAsync(ArchivePath));

        // Beside it, only the stopped run's resume point (what it saved, for -Resume).
        Assert.All(Directory.GetFiles(_folder).Where(f => f != ArchivePath), f => Assert.Contains(f, PartialArchive.Find(ArchivePath)));
    }

    [Fact]
    public async Task A_whole_vault_costs_one_request_per_object_to_back_up_and_one_per_entry_to_restore()
    {
        var source = await fixture.NewVaultAsync(prefix: "src");
        await fixture.Server.SeedAsync(source, new { secrets = 150, keys = 20, versions = 1, prefix = "cost" });

        // A listing can tell a change from the recorded state only once the second of the objects' last update is
        // over by the service's clock (with its margin); objects this fresh have their versions listed.
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        await fixture.Server.ResetStatsAsync(source);
        var factory = await LocalVaultTransfer.FactoryAsync(fixture);
        using var backupHost = new RecordingHost();
        var saved = await LocalVaultTransfer.BackupAsync(backupHost, factory, ArchivePath, fixture.Server.VaultUri(source), SecretsAndKeys);
        Assert.Empty(backupHost.Errors.Select(e => e.Exception.Message));
        Assert.Equal((170, 0, 0), (saved.Saved, saved.Changed, saved.Failed));

        // Per object its backup alone (the listing item is its record). Then list pages: the session's (6 of secrets,
        // 1 of keys) and the change check's (as many again; objects it passed before their backup answered have
        // their versions listed: on a busy machine up to a page's worth).
        var backupRequests = await RequestsPastTheChallengeAsync(source);
        Assert.InRange(backupRequests, 170 + 7 + 7, 170 + 7 + 7 + 25);
        using (var reader = ArchiveReader.Open(ArchivePath))
        {
            Assert.True(reader.Verify().IsValid);
            Assert.True(reader.Items.Count(i => i.Versions.Count == 0 && i.Version is null) >= 170 - 25);
            Assert.All(reader.Items, i => Assert.NotNull(i.UpdatedOn));
        }

        // Asked for, every version's id and times are listed too: one more request per object.
        await fixture.Server.ResetStatsAsync(source);
        var recorded = await LocalVaultTransfer.OnOwnThread(() =>
        {
            using var session = BackupSession.Start(new RecordingHost(), new BackupOptions { Path = ArchivePath, Force = true, VaultUri = fixture.Server.VaultUri(source), RecordVersions = true }, factory);
            session.AddVault(types: SecretsAndKeys);
            return session.Complete();
        });
        Assert.Equal(170, recorded.Saved);
        Assert.InRange(await RequestsPastTheChallengeAsync(source), (2 * 170) + 7 + 7, (2 * 170) + 7 + 7 + 25);
        using (var reader = ArchiveReader.Open(ArchivePath))
        {
            Assert.All(reader.Items, i => Assert.Equal(i.Version, Assert.Single(i.Versions).Version));
        }

        var target = await fixture.NewVaultAsync(prefix: "dst");
        await fixture.Server.ResetStatsAsync(target);
        using var restoreHost = new RecordingHost();
        var restored = await LocalVaultTransfer.RestoreAsync(restoreHost, factory, ArchivePath, new RestoreOptions { TargetVaultUri = fixture.Server.VaultUri(target) });
        Assert.Empty(restoreHost.Errors.Select(e => e.Exception.Message));
        Assert.Equal(170, restored.Restored);

        // The first 24 entries read their names alone (two requests each), then two listings per type plan the rest.
        var restoreRequests = await RequestsPastTheChallengeAsync(target);
        Assert.InRange(restoreRequests, 170 + 4, 170 + (24 * 2) + 4);
    }

    /// <summary>Requests a vault answered, without the 401s of the authentication challenge (one per connection that starts unauthenticated).</summary>
    private async Task<int> RequestsPastTheChallengeAsync(string vault)
    {
        var stats = await fixture.Server.GetStatsAsync(vault);
        return (int)stats["requests"]! - ((int?)stats["byStatus"]!["401"] ?? 0);
    }
}
