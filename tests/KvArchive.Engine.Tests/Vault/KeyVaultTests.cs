using KvArchive.Engine.Tests.Vault.Infrastructure;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Vault;

/// <summary>Keys through the engine's REST adapter (challenge auth, JSON, paging) against a real LocalVault.</summary>
[Trait("Category", "LocalVault")]
public sealed class KeyVaultTests(VaultFixture fixture) : IClassFixture<VaultFixture>
{
    private static readonly KvWaitOptions FastWait = new() { InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(300), Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task The_first_keys_call_meets_the_challenge_then_carries_the_token()
    {
        var vault = await fixture.NewVaultAsync();
        var observer = new RecordingObserver();
        var client = await fixture.ConnectAsync(vault, observer);

        var key = await client.CreateKeyAsync("k", new KvKeyCreateOptions { KeyType = "EC", CurveName = "P-256" }, default);
        Assert.Equal("k", key.Name);
        Assert.Equal(new[] { 401, 200 }, observer.Statuses);

        observer.Clear();
        await client.GetAsync(KvObjectType.Key, "k", null, default);
        await client.ListAsync(KvObjectType.Key, default).ToListAsync();
        Assert.Equal(new[] { 200, 200 }, observer.Statuses);
    }

    [Fact]
    public async Task Create_get_list_versions_and_update_map_key_properties()
    {
        var vault = await fixture.NewVaultAsync();
        var client = await fixture.ConnectAsync(vault);
        var exp = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(10).ToUnixTimeSeconds());
        var rsa = await client.CreateKeyAsync("rsa", new KvKeyCreateOptions { KeyType = "RSA", KeySize = 2048, ExpiresOn = exp, Tags = new Dictionary<string, string> { ["team"] = "a" } }, default);
        var rsa2 = await client.CreateKeyAsync("rsa", new KvKeyCreateOptions { KeyType = "RSA", KeySize = 2048 }, default);
        var ec = await client.CreateKeyAsync("ec", new KvKeyCreateOptions { KeyType = "EC", CurveName = "P-384" }, default);

        Assert.Equal(KvObjectType.Key, rsa.Type);
        Assert.Equal("RSA", rsa.KeyType);
        Assert.Equal(exp, rsa.ExpiresOn);
        Assert.Equal("a", rsa.Tags["team"]);
        Assert.Matches("^[0-9a-f]{32}$", rsa.Version);
        Assert.Equal(new Uri(fixture.Server.VaultUri(vault), $"keys/rsa/{rsa.Version}"), rsa.Id);
        Assert.Equal("EC", ec.KeyType);
        Assert.Equal("P-384", ec.CurveName);
        Assert.Equal("Recoverable+Purgeable", ec.RecoveryLevel);
        Assert.Equal(90, ec.RecoverableDays);

        var latest = await client.GetAsync(KvObjectType.Key, "rsa", null, default);
        Assert.Equal(rsa2.Version, latest.Version);
        Assert.Equal(rsa.Version, (await client.GetAsync(KvObjectType.Key, "rsa", rsa.Version, default)).Version);

        var listed = await client.ListAsync(KvObjectType.Key, default).ToListAsync();
        Assert.Equal(new[] { "ec", "rsa" }, listed.Select(k => k.Name).Order());
        var versions = await client.ListVersionsAsync(KvObjectType.Key, "rsa", default).ToListAsync();
        Assert.Equal(new[] { rsa.Version, rsa2.Version }.Order(), versions.Select(v => v.Version).Order());

        var later = exp.AddDays(5);
        var updated = await client.UpdateAsync(KvObjectType.Key, "rsa", rsa.Version, new KvPropertyUpdate { Enabled = false, ExpiresOn = later, Tags = new Dictionary<string, string> { ["team"] = "b" } }, default);
        Assert.Equal(rsa.Version, updated.Version);
        Assert.False(updated.Enabled);
        Assert.Equal(later, updated.ExpiresOn);
        Assert.Equal("b", updated.Tags["team"]);

        try
        {
            Assert.Null((await client.UpdateAsync(KvObjectType.Key, "rsa", rsa.Version, new KvPropertyUpdate { Enabled = true, ClearExpiresOn = true }, default)).ExpiresOn);
        }
        catch (KvException e)
        {
            Assert.Contains("kept the expiry date of key 'rsa'", e.Message, StringComparison.Ordinal);
            Assert.False((await client.GetAsync(KvObjectType.Key, "rsa", rsa.Version, default)).Enabled);
        }

        var latestUpdated = await client.UpdateAsync(KvObjectType.Key, "rsa", null, new KvPropertyUpdate { Tags = new Dictionary<string, string>() }, default);
        Assert.Equal(rsa2.Version, latestUpdated.Version);
        Assert.Empty(latestUpdated.Tags);

        var bad = await Assert.ThrowsAsync<KvException>(() => client.UpdateAsync(KvObjectType.Key, "rsa", null, new KvPropertyUpdate { ContentType = "x" }, default));
        Assert.Equal(KvErrorKind.InvalidArgument, bad.Kind);
    }

    [Fact]
    public async Task Listing_keys_follows_every_page()
    {
        var vault = await fixture.NewVaultAsync();
        await fixture.Server.SeedAsync(vault, new { keys = 57, prefix = "seed" });
        var client = await fixture.ConnectAsync(vault);
        var keys = await client.ListAsync(KvObjectType.Key, default).ToListAsync();
        Assert.Equal(57, keys.Count);
        Assert.Equal(57, keys.Select(k => k.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(keys, k => Assert.Null(k.Version));
    }

    [Fact]
    public async Task Delete_recover_purge_backup_and_restore_a_key()
    {
        var vault = await fixture.NewVaultAsync(new { deleteDelayMs = 300 });
        var client = await fixture.ConnectAsync(vault);
        var v1 = await client.CreateKeyAsync("k", new KvKeyCreateOptions { KeyType = "RSA", KeySize = 2048 }, default);
        var v2 = await client.CreateKeyAsync("k", new KvKeyCreateOptions { KeyType = "RSA", KeySize = 2048, Tags = new Dictionary<string, string> { ["x"] = "y" } }, default);

        var blob = await client.BackupAsync(KvObjectType.Key, "k", default);
        var tag = "AzureKeyVaultKeyBackupV1.microsoft.com";
        Assert.Equal(tag, System.Text.Encoding.ASCII.GetString(blob, 1, tag.Length));

        var deleted = await client.DeleteAndWaitAsync(KvObjectType.Key, "k", FastWait, default);
        Assert.True(deleted.Deleted);
        Assert.Equal(new Uri(fixture.Server.VaultUri(vault), "deletedkeys/k"), deleted.RecoveryId);
        Assert.NotNull(deleted.ScheduledPurgeDate);
        Assert.Equal("k", Assert.Single(await client.ListDeletedAsync(KvObjectType.Key, default).ToListAsync()).Name);

        var conflict = await Assert.ThrowsAsync<KvException>(() => client.CreateKeyAsync("k", new KvKeyCreateOptions(), default));
        Assert.Equal(KvErrorIds.ObjectSoftDeleted, conflict.ErrorId);
        Assert.StartsWith("A deleted key named 'k' exists", conflict.Message, StringComparison.Ordinal);

        var recovered = await client.RecoverAndWaitAsync(KvObjectType.Key, "k", FastWait, default);
        Assert.Equal(v2.Version, recovered.Version);

        await client.DeleteAndWaitAsync(KvObjectType.Key, "k", FastWait, default);
        await client.PurgeAndWaitAsync(KvObjectType.Key, "k", FastWait, default);
        Assert.Equal(KvNameState.Free, await client.GetNameStateAsync(KvObjectType.Key, "k", default));

        var restored = await client.RestoreAndWaitAsync(KvObjectType.Key, blob, FastWait, default);
        Assert.Equal(v2.Version, restored.Version);
        Assert.Equal("y", restored.Tags["x"]);
        Assert.Equal("RSA", restored.KeyType);
        var versions = await client.ListVersionsAsync(KvObjectType.Key, "k", default).ToListAsync();
        Assert.Equal(new[] { v1.Version, v2.Version }.Order(), versions.Select(v => v.Version).Order());

        var exists = await Assert.ThrowsAsync<KvException>(() => client.RestoreAsync(KvObjectType.Key, blob, default));
        Assert.Equal(KvErrorIds.ObjectExists, exists.ErrorId);
        var corrupt = await Assert.ThrowsAsync<KvException>(() => client.RestoreAsync(KvObjectType.Key, new byte[] { 9, 9, 9 }, default));
        Assert.Equal(KvErrorIds.BackupRejected, corrupt.ErrorId);
    }

    [Fact]
    public async Task Key_errors_name_the_key()
    {
        var vault = await fixture.NewVaultAsync();
        var client = await fixture.ConnectAsync(vault);
        var missing = await Assert.ThrowsAsync<KvException>(() => client.GetAsync(KvObjectType.Key, "none", null, default));
        Assert.Equal(KvErrorIds.ObjectNotFound, missing.ErrorId);
        Assert.Equal("KeyNotFound", missing.ServiceCode);
        Assert.Equal($"Key 'none' was not found in vault '{vault}'.", missing.Message);

        var reader = await fixture.ConnectAsync(vault, permissions: ["keys/list"]);
        var denied = await Assert.ThrowsAsync<KvException>(() => reader.CreateKeyAsync("k", new KvKeyCreateOptions(), default));
        Assert.Equal(KvErrorIds.PermissionDenied, denied.ErrorId);
        Assert.Contains("'keys/create'", denied.Message, StringComparison.Ordinal);
        Assert.Contains("Key Vault Crypto Officer", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_retry_429_and_report_it()
    {
        var vault = await fixture.NewVaultAsync();
        var observer = new RecordingObserver();
        var client = await fixture.ConnectAsync(vault, observer, maxRetries: 2);
        await client.CreateKeyAsync("k", new KvKeyCreateOptions(), default);
        await fixture.Server.SetFaultsAsync(vault, new { rules = new[] { new { method = "GET", pathRegex = "/keys/k", status = 429, count = 2 } } });
        observer.Clear();

        Assert.Equal("k", (await client.GetAsync(KvObjectType.Key, "k", null, default)).Name);
        Assert.Equal(new[] { 429, 429, 200 }, observer.Statuses);
    }
}
