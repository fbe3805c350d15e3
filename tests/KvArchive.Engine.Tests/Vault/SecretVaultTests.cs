using KvArchive.Engine.Tests.Vault.Infrastructure;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Vault;

/// <summary>Secrets through the engine's vault client against a real LocalVault.</summary>
[Trait("Category", "LocalVault")]
public sealed class SecretVaultTests(VaultFixture fixture) : IClassFixture<VaultFixture>
{
    private static readonly KvWaitOptions FastWait = new() { InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(300), Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Set_get_list_and_versions_map_every_property()
    {
        var vault = await fixture.NewVaultAsync();
        var client = await fixture.ConnectAsync(vault);
        var expires = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(30).ToUnixTimeSeconds());
        var first = await client.SetSecretAsync("db-password", "one", new KvSecretSetOptions { ContentType = "text/plain" }, default);
        var second = await client.SetSecretAsync("db-password", "two", new KvSecretSetOptions
        {
            ContentType = "text/plain",
            ExpiresOn = expires,
            Tags = new Dictionary<string, string> { ["env"] = "prod" },
        }, default);

        Assert.Equal(vault, client.VaultName);
        Assert.Equal(fixture.Server.VaultUri(vault), client.VaultUri);
        Assert.NotEqual(first.Version, second.Version);
        Assert.Matches("^[0-9a-f]{32}$", second.Version);

        var latest = await client.GetAsync(KvObjectType.Secret, "db-password", null, default);
        Assert.Equal(KvObjectType.Secret, latest.Type);
        Assert.Equal(vault, latest.VaultName);
        Assert.Equal("db-password", latest.Name);
        Assert.Equal(second.Version, latest.Version);
        Assert.Equal(new Uri(fixture.Server.VaultUri(vault), $"secrets/db-password/{second.Version}"), latest.Id);
        Assert.Equal("text/plain", latest.ContentType);
        Assert.Equal(expires, latest.ExpiresOn);
        Assert.Equal("prod", latest.Tags["env"]);
        Assert.True(latest.Enabled);
        Assert.NotNull(latest.CreatedOn);
        Assert.False(latest.Managed);
        Assert.False(latest.Deleted);
        Assert.Equal("Recoverable+Purgeable", latest.RecoveryLevel);

        var older = await client.GetAsync(KvObjectType.Secret, "db-password", first.Version, default);
        Assert.Equal(first.Version, older.Version);
        Assert.Empty(older.Tags);

        var value = await client.GetSecretAsync("db-password", null, default);
        Assert.Equal("two", VaultFixture.Plain(value.Value));
        Assert.DoesNotContain("two", value.ToString(), StringComparison.Ordinal);

        var versions = await client.ListVersionsAsync(KvObjectType.Secret, "db-password", default).ToListAsync();
        Assert.Equal(new[] { first.Version, second.Version }.Order(), versions.Select(v => v.Version).Order());

        var listed = Assert.Single(await client.ListAsync(KvObjectType.Secret, default).ToListAsync());
        Assert.Equal("db-password", listed.Name);
        Assert.Equal("prod", listed.Tags["env"]);
    }

    [Fact]
    public async Task Listing_follows_every_page_and_filters_by_wildcard()
    {
        var vault = await fixture.NewVaultAsync();
        await fixture.Server.SeedAsync(vault, new { secrets = 60, prefix = "app" });
        var client = await fixture.ConnectAsync(vault);
        await client.SetSecretAsync("Other-Thing", "x", new KvSecretSetOptions(), default);

        var all = await client.ListAsync(KvObjectType.Secret, default).ToListAsync();
        Assert.Equal(61, all.Count);
        Assert.Equal(61, all.Select(o => o.Name.ToLowerInvariant()).Distinct().Count());

        var app = await client.QueryAsync(new KvObjectQuery { Types = [KvObjectType.Secret], Name = "APP*" }, default).ToListAsync();
        Assert.Equal(60, app.Count);
        Assert.All(app, o => Assert.StartsWith("app", o.Name, StringComparison.OrdinalIgnoreCase));

        var one = await client.QueryAsync(new KvObjectQuery { Types = [KvObjectType.Secret], Name = "other-thin?" }, default).ToListAsync();
        Assert.Equal("Other-Thing", Assert.Single(one).Name);

        var none = await client.QueryAsync(new KvObjectQuery { Types = [KvObjectType.Secret], Name = "nothing*" }, default).ToListAsync();
        Assert.Empty(none);

        var literal = await Assert.ThrowsAsync<KvException>(() => client.QueryAsync(new KvObjectQuery { Types = [KvObjectType.Secret], Name = "missing" }, default).ToListAsync().AsTask());
        Assert.Equal(KvErrorKind.NotFound, literal.Kind);
        Assert.Contains("'missing'", literal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_with_versions_and_removed_state()
    {
        var vault = await fixture.NewVaultAsync();
        var client = await fixture.ConnectAsync(vault);
        await client.SetSecretAsync("a1", "x", new KvSecretSetOptions(), default);
        await client.SetSecretAsync("a1", "y", new KvSecretSetOptions(), default);
        await client.SetSecretAsync("a2", "z", new KvSecretSetOptions(), default);
        await client.SetSecretAsync("gone", "z", new KvSecretSetOptions(), default);
        await client.DeleteAndWaitAsync(KvObjectType.Secret, "gone", FastWait, default);

        var versions = await client.QueryAsync(new KvObjectQuery { Types = [KvObjectType.Secret], Name = "a*", IncludeVersions = true }, default).ToListAsync();
        Assert.Equal(3, versions.Count);
        Assert.All(versions, v => Assert.NotNull(v.Version));

        var removed = await client.QueryAsync(new KvObjectQuery { Types = [KvObjectType.Secret], InRemovedState = true }, default).ToListAsync();
        var gone = Assert.Single(removed);
        Assert.Equal("gone", gone.Name);
        Assert.True(gone.Deleted);
        Assert.NotNull(gone.DeletedOn);
        Assert.NotNull(gone.ScheduledPurgeDate);
        Assert.Equal(new Uri(fixture.Server.VaultUri(vault), "deletedsecrets/gone"), gone.RecoveryId);

        var removedLiteral = await client.QueryAsync(new KvObjectQuery { Types = [KvObjectType.Secret], Name = "gone", InRemovedState = true }, default).ToListAsync();
        Assert.Single(removedLiteral);

        var versionsOfA1 = await client.QueryAsync(new KvObjectQuery { Types = [KvObjectType.Secret], Name = "A1", IncludeVersions = true }, default).ToListAsync();
        Assert.Equal(2, versionsOfA1.Count);
        var noVersions = await Assert.ThrowsAsync<KvException>(() => client.QueryAsync(new KvObjectQuery { Types = [KvObjectType.Secret], Name = "none", IncludeVersions = true }, default).ToListAsync().AsTask());
        Assert.Equal(KvErrorKind.NotFound, noVersions.Kind);
        Assert.Equal($"No secret named 'none' was found in vault '{vault}'.", noVersions.Message);

        var both = await Assert.ThrowsAsync<KvException>(() => client.QueryAsync(new KvObjectQuery { IncludeVersions = true, InRemovedState = true }, default).ToListAsync().AsTask());
        Assert.Equal(KvErrorKind.InvalidArgument, both.Kind);
    }

    [Fact]
    public async Task Update_changes_properties_without_a_new_version_and_can_clear()
    {
        var vault = await fixture.NewVaultAsync();
        var client = await fixture.ConnectAsync(vault);
        var set = await client.SetSecretAsync("s", "v", new KvSecretSetOptions
        {
            ContentType = "a",
            ExpiresOn = DateTimeOffset.UtcNow.AddDays(1),
            Tags = new Dictionary<string, string> { ["k"] = "v" },
        }, default);

        var updated = await client.UpdateAsync(KvObjectType.Secret, "s", null, new KvPropertyUpdate { Enabled = false, ContentType = "b" }, default);
        Assert.Equal(set.Version, updated.Version);
        Assert.False(updated.Enabled);
        Assert.Equal("b", updated.ContentType);
        Assert.Equal("v", updated.Tags["k"]);
        Assert.NotNull(updated.ExpiresOn);

        // A disabled secret's properties are still readable (its value is not).
        var disabled = await client.GetAsync(KvObjectType.Secret, "s", null, default);
        Assert.False(disabled.Enabled);
        Assert.Equal(set.Version, disabled.Version);

        // Removing a date: either the vault removes it, or the engine says it kept it and changes nothing else.
        try
        {
            var cleared = await client.UpdateAsync(KvObjectType.Secret, "s", set.Version, new KvPropertyUpdate { Enabled = true, ClearExpiresOn = true }, default);
            Assert.Null(cleared.ExpiresOn);
            Assert.True(cleared.Enabled);
        }
        catch (KvException e)
        {
            Assert.Equal(KvErrorKind.InvalidArgument, e.Kind);
            Assert.Equal($"Vault '{vault}' kept the expiry date of secret 's': it does not remove a date once set. Nothing was changed; set a new date instead, or set a new version without one.", e.Message);
            var unchanged = await client.GetAsync(KvObjectType.Secret, "s", set.Version, default);
            Assert.False(unchanged.Enabled);
            Assert.NotNull(unchanged.ExpiresOn);
        }

        var untagged = await client.UpdateAsync(KvObjectType.Secret, "s", set.Version, new KvPropertyUpdate { Enabled = true, Tags = new Dictionary<string, string>() }, default);
        Assert.True(untagged.Enabled);
        Assert.Empty(untagged.Tags);
        Assert.Equal("b", untagged.ContentType);
        Assert.Single(await client.ListVersionsAsync(KvObjectType.Secret, "s", default).ToListAsync());
    }

    [Fact]
    public async Task Delete_recover_and_purge_wait_for_the_asynchronous_service()
    {
        var vault = await fixture.NewVaultAsync(new { deleteDelayMs = 400 });
        var client = await fixture.ConnectAsync(vault);
        await client.SetSecretAsync("s", "v", new KvSecretSetOptions(), default);

        var deleted = await client.DeleteAndWaitAsync(KvObjectType.Secret, "s", FastWait, default);
        Assert.True(deleted.Deleted);
        Assert.Equal("s", deleted.Name);
        Assert.Equal(KvNameState.SoftDeleted, await client.GetNameStateAsync(KvObjectType.Secret, "s", default));
        Assert.Equal("s", (await client.GetDeletedAsync(KvObjectType.Secret, "s", default)).Name);

        var recovered = await client.RecoverAndWaitAsync(KvObjectType.Secret, "s", FastWait, default);
        Assert.Equal("s", recovered.Name);
        Assert.False(recovered.Deleted);
        Assert.Equal(KvNameState.Exists, await client.GetNameStateAsync(KvObjectType.Secret, "s", default));

        await client.DeleteAndWaitAsync(KvObjectType.Secret, "s", FastWait, default);
        await client.PurgeAndWaitAsync(KvObjectType.Secret, "s", FastWait, default);
        Assert.Equal(KvNameState.Free, await client.GetNameStateAsync(KvObjectType.Secret, "s", default));
        Assert.Empty(await client.ListDeletedAsync(KvObjectType.Secret, default).ToListAsync());

        // The name is usable again once the asynchronous purge is through; until then a write meets 409.
        var busy = 0;
        var again = await VaultOperations.RetryWhileNameBusyAsync(
            async ct =>
            {
                try
                {
                    return await client.SetSecretAsync("s", "again", new KvSecretSetOptions(), ct);
                }
                catch (KvException e)
                {
                    Assert.Equal(KvErrorIds.ObjectBeingDeleted, e.ErrorId);
                    busy++;
                    throw;
                }
            },
            FastWait,
            default);
        Assert.Equal("s", again.Name);
        Assert.InRange(busy, 0, 100);
    }

    [Fact]
    public async Task Name_state_sees_a_delete_under_way_and_the_write_conflicts_are_mapped()
    {
        var vault = await fixture.NewVaultAsync(new { deleteDelayMs = 3000 });
        var client = await fixture.ConnectAsync(vault);
        await client.SetSecretAsync("busy", "v", new KvSecretSetOptions(), default);
        await client.DeleteAsync(KvObjectType.Secret, "busy", default);

        Assert.Equal(KvNameState.BeingDeleted, await client.GetNameStateAsync(KvObjectType.Secret, "busy", default));

        // Another client (another invocation) cannot know; the write then tells.
        var other = await fixture.ConnectAsync(vault);
        Assert.Equal(KvNameState.Free, await other.GetNameStateAsync(KvObjectType.Secret, "busy", default));
        var conflict = await Assert.ThrowsAsync<KvException>(() => other.SetSecretAsync("busy", "w", new KvSecretSetOptions(), default));
        Assert.Equal(KvErrorKind.Conflict, conflict.Kind);
        Assert.Equal(KvErrorIds.ObjectBeingDeleted, conflict.ErrorId);
        Assert.Equal(409, conflict.Status);
        Assert.Equal("ObjectIsBeingDeleted", conflict.InnerCode);
        Assert.Equal(KvNameState.BeingDeleted, VaultOperations.NameStateOf(conflict));
        Assert.Equal("Secret 'busy' in vault '" + vault + "' is being deleted; wait a few seconds and retry.", conflict.Message);
        Assert.DoesNotContain("\"w\"", conflict.ToString(), StringComparison.Ordinal);

        var soft = await WaitForAsync(() => other.GetNameStateAsync(KvObjectType.Secret, "busy", default), KvNameState.SoftDeleted);
        Assert.Equal(KvNameState.SoftDeleted, soft);
        Assert.Equal(KvNameState.SoftDeleted, await client.GetNameStateAsync(KvObjectType.Secret, "busy", default));

        var deletedConflict = await Assert.ThrowsAsync<KvException>(() => other.SetSecretAsync("busy", "w", new KvSecretSetOptions(), default));
        Assert.Equal(KvErrorIds.ObjectSoftDeleted, deletedConflict.ErrorId);
        Assert.Equal("ObjectIsDeletedButRecoverable", deletedConflict.InnerCode);
        Assert.Equal(
            $"A deleted secret named 'busy' exists in vault '{vault}' (soft-deleted), so the name cannot be used until it is recovered or purged.",
            deletedConflict.Message);
    }

    [Fact]
    public async Task Backup_and_restore_round_trip_every_version_with_the_exact_blob()
    {
        var vault = await fixture.NewVaultAsync();
        var client = await fixture.ConnectAsync(vault);
        var v1 = await client.SetSecretAsync("b", "one", new KvSecretSetOptions(), default);
        var v2 = await client.SetSecretAsync("b", "two", new KvSecretSetOptions { Tags = new Dictionary<string, string> { ["t"] = "1" } }, default);

        var blob = await client.BackupAsync(KvObjectType.Secret, "b", default);
        var again = await client.BackupAsync(KvObjectType.Secret, "b", default);
        Assert.NotEmpty(blob);
        // Framed like the service's blob: one length byte, then the ASCII tag.
        var tag = "AzureKeyVaultSecretBackupV1.microsoft.com";
        Assert.Equal(tag, System.Text.Encoding.ASCII.GetString(blob, 1, tag.Length));
        Assert.Equal(blob.Length, again.Length);

        var restoreConflict = await Assert.ThrowsAsync<KvException>(() => client.RestoreAsync(KvObjectType.Secret, blob, default));
        Assert.Equal(KvErrorIds.ObjectExists, restoreConflict.ErrorId);
        Assert.Equal(KvNameState.Exists, VaultOperations.NameStateOf(restoreConflict));

        await client.DeleteAndWaitAsync(KvObjectType.Secret, "b", FastWait, default);
        var softConflict = await Assert.ThrowsAsync<KvException>(() => client.RestoreAsync(KvObjectType.Secret, blob, default));
        Assert.Equal(KvErrorIds.ObjectSoftDeleted, softConflict.ErrorId);
        await client.PurgeAndWaitAsync(KvObjectType.Secret, "b", FastWait, default);

        var restored = await client.RestoreAndWaitAsync(KvObjectType.Secret, blob, FastWait, default);
        Assert.Equal("b", restored.Name);
        Assert.Equal(v2.Version, restored.Version);
        Assert.Equal("1", restored.Tags["t"]);
        var versions = await client.ListVersionsAsync(KvObjectType.Secret, "b", default).ToListAsync();
        Assert.Equal(new[] { v1.Version, v2.Version }.Order(), versions.Select(v => v.Version).Order());
        Assert.Equal("one", VaultFixture.Plain((await client.GetSecretAsync("b", v1.Version, default)).Value));
        Assert.Equal(v1.CreatedOn, versions.Single(v => v.Version == v1.Version).CreatedOn);

        // Restore into another vault of the same geography works too.
        var other = await fixture.ConnectAsync(await fixture.NewVaultAsync());
        Assert.Equal(v2.Version, (await other.RestoreAsync(KvObjectType.Secret, blob, default)).Version);
    }

    [Fact]
    public async Task Restore_waits_out_a_purge_under_way()
    {
        var vault = await fixture.NewVaultAsync(new { deleteDelayMs = 1500 });
        var observer = new RecordingObserver();
        var client = await fixture.ConnectAsync(vault, observer);
        await client.SetSecretAsync("p", "v", new KvSecretSetOptions(), default);
        var blob = await client.BackupAsync(KvObjectType.Secret, "p", default);
        await client.DeleteAndWaitAsync(KvObjectType.Secret, "p", FastWait, default);
        await client.PurgeAsync(KvObjectType.Secret, "p", default);

        // Reads cannot see the purge under way; the restore meets 409 ObjectIsBeingDeleted and waits it out.
        Assert.Equal(KvNameState.Free, await client.GetNameStateAsync(KvObjectType.Secret, "p", default));
        observer.Clear();
        var restored = await client.RestoreAndWaitAsync(KvObjectType.Secret, blob, FastWait, default);
        Assert.Equal("p", restored.Name);
        Assert.Contains(409, observer.Statuses);
        Assert.Equal(200, observer.Statuses[^1]);
    }

    [Fact]
    public async Task A_busy_name_is_given_up_on_after_the_timeout()
    {
        var vault = await fixture.NewVaultAsync(new { deleteDelayMs = 20000 });
        var client = await fixture.ConnectAsync(vault);
        await client.SetSecretAsync("slow", "v", new KvSecretSetOptions(), default);
        await client.DeleteAsync(KvObjectType.Secret, "slow", default);

        var started = DateTime.UtcNow;
        var e = await Assert.ThrowsAsync<KvException>(() => VaultOperations.RetryWhileNameBusyAsync(
            ct => client.SetSecretAsync("slow", "w", new KvSecretSetOptions(), ct),
            new KvWaitOptions { InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(200), Timeout = TimeSpan.FromSeconds(1) },
            default));
        Assert.Equal(KvErrorIds.ObjectBeingDeleted, e.ErrorId);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));

        await client.SetSecretAsync("slow2", "v", new KvSecretSetOptions(), default);
        var stuck = await Assert.ThrowsAsync<KvException>(() => client.DeleteAndWaitAsync(KvObjectType.Secret, "slow2", new KvWaitOptions { InitialDelay = TimeSpan.FromMilliseconds(50), Timeout = TimeSpan.FromSeconds(1) }, default));
        Assert.Equal(KvErrorKind.Conflict, stuck.Kind);
        Assert.Equal(KvErrorIds.ObjectBeingDeleted, stuck.ErrorId);
        // The fact; how to check on it later is the module's RecommendedAction for the id.
        Assert.Equal($"Vault '{vault}' had not finished deleting secret 'slow2' after 1 s; it may still finish.", stuck.Message);

        var missing = await Assert.ThrowsAsync<KvException>(() => client.DeleteAndWaitAsync(KvObjectType.Secret, "other", FastWait, default));
        Assert.Equal(KvErrorKind.NotFound, missing.Kind);
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, T expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var value = await read();
            if (EqualityComparer<T>.Default.Equals(value, expected) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(100);
        }
    }
}
