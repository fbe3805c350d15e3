using Azure;
using Azure.Security.KeyVault.Secrets;
using KvArchive.LocalVault.Tests.Infrastructure;

namespace KvArchive.LocalVault.Tests.Secrets;

/// <summary>Every secret operation through the real SecretClient 4.12 over HTTPS.</summary>
public sealed class SecretOperationsTests(LocalVaultFixture fx) : IClassFixture<LocalVaultFixture>
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Set_then_get_latest_and_by_version()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Secrets(vault);
        var nbf = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600);
        var exp = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 86400);
        var first = new KeyVaultSecret("app-Password", "v1-value") { Properties = { ContentType = "text/plain", NotBefore = nbf, ExpiresOn = exp } };
        first.Properties.Tags["env"] = "test";
        first.Properties.Tags["owner"] = "kv";
        var set1 = (await client.SetSecretAsync(first)).Value;

        Assert.Equal("v1-value", set1.Value);
        Assert.Matches(KvAssert.VersionPattern(), set1.Properties.Version);
        Assert.Equal(new Uri(vault.Uri, $"secrets/app-Password/{set1.Properties.Version}"), set1.Id);
        Assert.Equal("app-Password", set1.Name);
        Assert.Equal("text/plain", set1.Properties.ContentType);
        Assert.Equal(nbf, set1.Properties.NotBefore);
        Assert.Equal(exp, set1.Properties.ExpiresOn);
        Assert.True(set1.Properties.Enabled);
        Assert.Equal("test", set1.Properties.Tags["env"]);
        Assert.Equal(2, set1.Properties.Tags.Count);
        Assert.Equal("Recoverable+Purgeable", set1.Properties.RecoveryLevel);
        Assert.Equal(90, set1.Properties.RecoverableDays);
        Assert.NotNull(set1.Properties.CreatedOn);
        Assert.Equal(set1.Properties.CreatedOn, set1.Properties.UpdatedOn);
        Assert.InRange(set1.Properties.CreatedOn!.Value, DateTimeOffset.UtcNow.AddMinutes(-2), DateTimeOffset.UtcNow.AddMinutes(2));
        Assert.False(set1.Properties.Managed);

        var set2 = (await client.SetSecretAsync("app-Password", "v2-value")).Value;
        Assert.NotEqual(set1.Properties.Version, set2.Properties.Version);
        Assert.Null(set2.Properties.ContentType);
        Assert.Empty(set2.Properties.Tags);

        var latest = (await client.GetSecretAsync("app-Password")).Value;
        Assert.Equal("v2-value", latest.Value);
        Assert.Equal(set2.Id, latest.Id);

        var byVersion = (await client.GetSecretAsync("app-Password", set1.Properties.Version)).Value;
        Assert.Equal("v1-value", byVersion.Value);
        Assert.Equal(set1.Id, byVersion.Id);
        Assert.Equal("text/plain", byVersion.Properties.ContentType);
        Assert.Equal(exp, byVersion.Properties.ExpiresOn);
        Assert.Equal("kv", byVersion.Properties.Tags["owner"]);

        // Names are compared case-insensitively.
        var upper = (await client.GetSecretAsync("APP-PASSWORD")).Value;
        Assert.Equal("v2-value", upper.Value);
    }

    [Fact]
    public async Task Latest_is_reachable_with_and_without_trailing_slash_and_raw_bundle_has_integer_times()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Secrets(vault);
        var set = (await client.SetSecretAsync("s1", "abc")).Value;
        foreach (var path in new[] { "secrets/s1?api-version=2026-04-01", "secrets/s1/?api-version=2026-04-01", "secrets/S1/?api-version=2026-04-01" })
        {
            var r = await fx.SendAsync(HttpMethod.Get, vault, path);
            Assert.True(r.StatusCode == 200, $"{path}: {r}");
            Assert.Equal(set.Id.ToString(), r.Json["id"]!.GetValue<string>());
            Assert.Equal("abc", r.Json["value"]!.GetValue<string>());
            var created = KvAssert.UnixSeconds(r.Json["attributes"]!["created"], "created");
            var updated = KvAssert.UnixSeconds(r.Json["attributes"]!["updated"], "updated");
            Assert.Equal(created, updated);
            Assert.True(r.Json["attributes"]!["enabled"]!.GetValue<bool>());
            Assert.StartsWith("application/json", r.ContentType);
        }
    }

    [Fact]
    public async Task Update_properties_changes_attributes_not_value_and_disabled_get_is_403()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Secrets(vault);
        var set = (await client.SetSecretAsync("upd", "keep-me")).Value;
        var props = set.Properties;
        props.ContentType = "application/x-test";
        props.Tags["a"] = "b";
        props.Enabled = false;
        var exp = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 7200);
        props.ExpiresOn = exp;
        var updated = (await client.UpdateSecretPropertiesAsync(props)).Value;
        Assert.Equal(set.Id, updated.Id);
        Assert.Equal("application/x-test", updated.ContentType);
        Assert.Equal("b", updated.Tags["a"]);
        Assert.False(updated.Enabled);
        Assert.Equal(exp, updated.ExpiresOn);
        Assert.Equal(set.Properties.CreatedOn, updated.CreatedOn);
        Assert.True(updated.UpdatedOn >= updated.CreatedOn);

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetSecretAsync("upd"));
        Assert.Equal(403, ex.Status);
        Assert.Equal("Forbidden", ex.ErrorCode);
        var raw = await fx.SendAsync(HttpMethod.Get, vault, $"secrets/upd/{set.Properties.Version}?api-version=2026-04-01");
        KvAssert.Error(raw, 403, "Forbidden", "SecretDisabled");

        // A disabled secret still lists (without value) and still backs up.
        var listed = await client.GetPropertiesOfSecretsAsync().ToListAsync();
        Assert.False(Assert.Single(listed).Enabled);
        var blob = (await client.BackupSecretAsync("upd")).Value;
        Assert.NotEmpty(blob);

        // Re-enabling makes the value readable again, unchanged.
        updated.Enabled = true;
        await client.UpdateSecretPropertiesAsync(updated);
        Assert.Equal("keep-me", (await client.GetSecretAsync("upd")).Value.Value);
    }

    [Fact]
    public async Task Update_response_carries_no_value()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Secrets(vault);
        var set = (await client.SetSecretAsync("novalue", "hidden")).Value;
        var r = await fx.SendAsync(HttpMethod.Patch, vault, $"secrets/novalue/{set.Properties.Version}?api-version=2026-04-01", """{"contentType":"x","tags":{"k":"v"}}""");
        Assert.True(r.StatusCode == 200, r.ToString());
        Assert.Null(r.Json["value"]);
        Assert.Equal("x", r.Json["contentType"]!.GetValue<string>());
        Assert.Equal("v", r.Json["tags"]!["k"]!.GetValue<string>());
        Assert.Equal(set.Id.ToString(), r.Json["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task List_secrets_and_versions()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Secrets(vault);
        var versions = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            versions.Add((await client.SetSecretAsync("multi", $"value-{i}")).Value.Properties.Version);
        }

        await client.SetSecretAsync(new KeyVaultSecret("other", "x") { Properties = { ContentType = "ct" } });

        var all = await client.GetPropertiesOfSecretsAsync().ToListAsync();
        Assert.Equal(new[] { "multi", "other" }, all.Select(p => p.Name).Order());
        foreach (var p in all)
        {
            Assert.Null(p.Version);
            Assert.Equal(new Uri(vault.Uri, $"secrets/{p.Name}"), p.Id);
        }

        Assert.Equal("ct", all.Single(p => p.Name == "other").ContentType);

        var listed = await client.GetPropertiesOfSecretVersionsAsync("multi").ToListAsync();
        Assert.Equal(versions.Order(), listed.Select(p => p.Version).Order());

        // Raw: items carry the full versioned id, newest first, no value.
        var raw = await fx.SendAsync(HttpMethod.Get, vault, "secrets/multi/versions?api-version=2026-04-01");
        Assert.True(raw.StatusCode == 200, raw.ToString());
        var items = raw.Json["value"]!.AsArray();
        Assert.Equal(4, items.Count);
        Assert.All(items, i => Assert.Null(i!["value"]));
        var rawIds = items.Select(i => i!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(Enumerable.Reverse(versions).Select(v => new Uri(vault.Uri, $"secrets/multi/{v}").ToString()), rawIds);

        var rawList = await fx.SendAsync(HttpMethod.Get, vault, "secrets?api-version=2026-04-01");
        Assert.All(rawList.Json["value"]!.AsArray(), i => Assert.Null(i!["value"]));
        Assert.True(rawList.Json.AsObject().ContainsKey("nextLink"), "nextLink must be present (null on the last page)");
        Assert.Null(rawList.Json["nextLink"]);
    }

    [Fact]
    public async Task Versions_of_unknown_secret_is_an_empty_list()
    {
        var vault = await fx.NewVaultAsync();
        var raw = await fx.SendAsync(HttpMethod.Get, vault, "secrets/nothing-here/versions?api-version=2026-04-01");
        Assert.True(raw.StatusCode == 200, raw.ToString());
        Assert.Empty(raw.Json["value"]!.AsArray());
        Assert.Empty(await fx.Secrets(vault).GetPropertiesOfSecretVersionsAsync("nothing-here").ToListAsync());
    }

    [Fact]
    public async Task Delete_wait_get_deleted_list_deleted_recover_purge()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Secrets(vault);
        var set = (await client.SetSecretAsync("gone", "bye")).Value;
        await client.SetSecretAsync("stays", "here");

        var op = await client.StartDeleteSecretAsync("gone");
        var deleted = (await op.WaitForCompletionAsync(Poll, default)).Value;
        Assert.Equal(new Uri(vault.Uri, "deletedsecrets/gone"), deleted.RecoveryId);
        Assert.NotNull(deleted.DeletedOn);
        Assert.Equal(deleted.DeletedOn!.Value.AddDays(90), deleted.ScheduledPurgeDate);
        Assert.Equal(set.Id, deleted.Id);
        Assert.Null(deleted.Value);

        var miss = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetSecretAsync("gone"));
        Assert.Equal(404, miss.Status);
        Assert.Equal("SecretNotFound", miss.ErrorCode);

        var got = (await client.GetDeletedSecretAsync("gone")).Value;
        Assert.Equal(deleted.RecoveryId, got.RecoveryId);
        Assert.Equal(deleted.ScheduledPurgeDate, got.ScheduledPurgeDate);

        var deletedList = await client.GetDeletedSecretsAsync().ToListAsync();
        var item = Assert.Single(deletedList);
        Assert.Equal("gone", item.Name);
        Assert.Equal(deleted.RecoveryId, item.RecoveryId);
        Assert.Equal(new[] { "stays" }, (await client.GetPropertiesOfSecretsAsync().ToListAsync()).Select(p => p.Name));

        // Raw deleted bundle: no value, integer dates, the scheduled purge date exactly 90 days on.
        var raw = await fx.SendAsync(HttpMethod.Get, vault, "deletedsecrets/gone?api-version=2026-04-01");
        Assert.True(raw.StatusCode == 200, raw.ToString());
        Assert.Null(raw.Json["value"]);
        var deletedDate = KvAssert.UnixSeconds(raw.Json["deletedDate"], "deletedDate");
        Assert.Equal(deletedDate + (90 * 86400), KvAssert.UnixSeconds(raw.Json["scheduledPurgeDate"], "scheduledPurgeDate"));

        var recover = await client.StartRecoverDeletedSecretAsync("gone");
        var recovered = (await recover.WaitForCompletionAsync(Poll, default)).Value;
        Assert.Equal(set.Id, recovered.Id);
        Assert.Equal("bye", (await client.GetSecretAsync("gone")).Value.Value);
        Assert.Empty(await client.GetDeletedSecretsAsync().ToListAsync());

        await (await client.StartDeleteSecretAsync("gone")).WaitForCompletionAsync(Poll, default);
        var purge = await client.PurgeDeletedSecretAsync("gone");
        Assert.Equal(204, purge.Status);
        Assert.Empty(purge.Content.ToArray());
        var afterPurge = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetDeletedSecretAsync("gone"));
        Assert.Equal(404, afterPurge.Status);
        Assert.Equal("SecretNotFound", afterPurge.ErrorCode);

        // The name is free again: a new secret starts with a single version.
        await client.SetSecretAsync("gone", "new life");
        Assert.Single(await client.GetPropertiesOfSecretVersionsAsync("gone").ToListAsync());
    }

    [Fact]
    public async Task Not_found_answers_carry_the_service_codes()
    {
        var vault = await fx.NewVaultAsync();
        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, "secrets/missing"), (HttpMethod.Get, "secrets/missing/0123456789abcdef0123456789abcdef"),
            (HttpMethod.Delete, "secrets/missing"), (HttpMethod.Post, "secrets/missing/backup"),
            (HttpMethod.Get, "deletedsecrets/missing"), (HttpMethod.Post, "deletedsecrets/missing/recover"),
            (HttpMethod.Delete, "deletedsecrets/missing"),
        })
        {
            var r = await fx.SendAsync(method, vault, path + "?api-version=2026-04-01");
            KvAssert.Error(r, 404, "SecretNotFound");
            Assert.Contains("missing", r.ErrorMessage);
        }

        var version = await fx.SendAsync(HttpMethod.Patch, vault, "secrets/missing/0123456789abcdef0123456789abcdef?api-version=2026-04-01", """{"contentType":"x"}""");
        KvAssert.Error(version, 404, "SecretNotFound");
    }

    [Fact]
    public async Task Unknown_version_of_existing_secret_is_404()
    {
        var vault = await fx.NewVaultAsync();
        await fx.Secrets(vault).SetSecretAsync("known", "x");
        var r = await fx.SendAsync(HttpMethod.Get, vault, "secrets/known/0123456789abcdef0123456789abcdef?api-version=2026-04-01");
        KvAssert.Error(r, 404, "SecretNotFound");
    }

    [Fact]
    public async Task Backup_is_framed_like_the_service_and_restore_keeps_every_version()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Secrets(vault);
        for (var i = 0; i < 3; i++)
        {
            var s = new KeyVaultSecret("bk", $"value-{i}") { Properties = { ContentType = $"type/{i}", Enabled = i != 1 } };
            s.Properties.Tags["n"] = i.ToString();
            await client.SetSecretAsync(s);
            await Task.Delay(1100); // distinct created times, so a restore that reset them would be caught
        }

        var before = await client.GetPropertiesOfSecretVersionsAsync("bk").ToListAsync();
        var rawBackup = await fx.SendAsync(HttpMethod.Post, vault, "secrets/bk/backup?api-version=2026-04-01");
        Assert.True(rawBackup.StatusCode == 200, rawBackup.ToString());
        var value = rawBackup.Json["value"]!.GetValue<string>();
        Assert.Matches("^[A-Za-z0-9_-]+$", value); // unpadded base64url
        var blob = Base64Url.Decode(value);
        const string Tag = "AzureKeyVaultSecretBackupV1.microsoft.com";
        Assert.Equal(Tag.Length, blob[0]);
        Assert.Equal(Tag, System.Text.Encoding.ASCII.GetString(blob, 1, Tag.Length));
        Assert.True(blob.Length > Tag.Length + 17);
        Assert.DoesNotContain("value-0", System.Text.Encoding.UTF8.GetString(blob)); // encrypted, not plain

        var sdkBlob = (await client.BackupSecretAsync("bk")).Value;
        Assert.Equal(Tag, System.Text.Encoding.ASCII.GetString(sdkBlob, 1, Tag.Length));

        await (await client.StartDeleteSecretAsync("bk")).WaitForCompletionAsync(Poll, default);
        await client.PurgeDeletedSecretAsync("bk");

        var restoredRaw = await fx.SendAsync(HttpMethod.Post, vault, "secrets/restore?api-version=2026-04-01", $$"""{"value":"{{value}}"}""");
        Assert.True(restoredRaw.StatusCode == 200, restoredRaw.ToString());
        Assert.Null(restoredRaw.Json["value"]);
        Assert.Equal(new Uri(vault.Uri, $"secrets/bk/{before.OrderByDescending(p => p.CreatedOn).First().Version}").ToString(), restoredRaw.Json["id"]!.GetValue<string>());

        var after = await client.GetPropertiesOfSecretVersionsAsync("bk").ToListAsync();
        Assert.Equal(before.Count, after.Count);
        foreach (var b in before)
        {
            var a = after.Single(p => p.Version == b.Version);
            Assert.Equal(b.Id, a.Id);
            Assert.Equal(b.CreatedOn, a.CreatedOn);
            Assert.Equal(b.UpdatedOn, a.UpdatedOn);
            Assert.Equal(b.ContentType, a.ContentType);
            Assert.Equal(b.Enabled, a.Enabled);
            Assert.Equal(b.Tags, a.Tags);
            if (a.Enabled == true)
            {
                var bundle = (await client.GetSecretAsync("bk", a.Version)).Value;
                Assert.Equal($"value-{b.Tags["n"]}", bundle.Value);
            }
        }

        // The SDK's own restore (binary blob) into a second vault of the same geography works too.
        var other = await fx.NewVaultAsync();
        var restored = (await fx.Secrets(other).RestoreSecretBackupAsync(sdkBlob)).Value;
        Assert.Equal("bk", restored.Name);
        Assert.Equal(new Uri(other.Uri, $"secrets/bk/{restored.Version}"), restored.Id);
        Assert.Equal(3, (await fx.Secrets(other).GetPropertiesOfSecretVersionsAsync("bk").ToListAsync()).Count);
    }

    [Fact]
    public async Task Restore_over_an_existing_secret_is_409_and_changes_nothing()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Secrets(vault);
        await client.SetSecretAsync("dup", "one");
        var blob = (await client.BackupSecretAsync("dup")).Value;
        await client.SetSecretAsync("dup", "two");

        var r = await fx.SendAsync(HttpMethod.Post, vault, "secrets/restore?api-version=2026-04-01", $$"""{"value":"{{Base64Url.Encode(blob)}}"}""");
        KvAssert.Error(r, 409, "Conflict", messageContains: "already exists");
        Assert.Equal("two", (await client.GetSecretAsync("dup")).Value.Value);
        Assert.Equal(2, (await client.GetPropertiesOfSecretVersionsAsync("dup").ToListAsync()).Count);

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => client.RestoreSecretBackupAsync(blob));
        Assert.Equal(409, ex.Status);
        Assert.Equal("Conflict", ex.ErrorCode);
    }

    [Fact]
    public async Task Corrupt_blobs_are_400_with_the_exact_service_body()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Secrets(vault);
        await client.SetSecretAsync("good", "v");
        var blob = (await client.BackupSecretAsync("good")).Value;
        var flipped = (byte[])blob.Clone();
        flipped[^5] ^= 0x5a;
        var truncated = blob[..(blob.Length / 2)];
        var secretVault = await fx.NewVaultAsync();

        foreach (var bad in new[] { Base64Url.Encode(flipped), Base64Url.Encode(truncated), "AAAA", "aGVsbG8gd29ybGQ", Base64Url.Encode(blob[..42]) })
        {
            var r = await fx.SendAsync(HttpMethod.Post, secretVault, "secrets/restore?api-version=2026-04-01", $$"""{"value":"{{bad}}"}""");
            Assert.True(r.StatusCode == 400, r.ToString());
            Assert.Equal("""{"error":{"code":"Malformed backup blob","message":"Backup blob is corrupt."}}""", r.Text);
            KvAssert.ErrorShape(r);
        }

        Assert.Empty(await fx.Secrets(secretVault).GetPropertiesOfSecretsAsync().ToListAsync());
    }

    [Fact]
    public async Task Five_hundred_versions_back_up_and_five_hundred_and_one_are_refused()
    {
        var vault = await fx.NewVaultAsync(new { throttling = false });
        await fx.Server.SeedAsync(vault.Name, new { secrets = 1, versions = 500, prefix = "five" });
        var client = fx.Secrets(vault);
        var name = Assert.Single(await client.GetPropertiesOfSecretsAsync().ToListAsync()).Name;
        Assert.Equal(500, (await client.GetPropertiesOfSecretVersionsAsync(name).ToListAsync()).Count);
        var blob = (await client.BackupSecretAsync(name)).Value;
        Assert.NotEmpty(blob);

        await client.SetSecretAsync(name, "the 501st");
        var r = await fx.SendAsync(HttpMethod.Post, vault, $"secrets/{name}/backup?api-version=2026-04-01");
        KvAssert.Error(r, 400, "BadParameter", messageContains: "500");

        // Restoring the 500-version blob elsewhere brings all 500 back.
        var other = await fx.NewVaultAsync(new { throttling = false });
        await fx.Secrets(other).RestoreSecretBackupAsync(blob);
        Assert.Equal(500, (await fx.Secrets(other).GetPropertiesOfSecretVersionsAsync(name).ToListAsync()).Count);
    }
}
