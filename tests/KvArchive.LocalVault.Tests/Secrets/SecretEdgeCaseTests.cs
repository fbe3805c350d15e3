using Azure.Security.KeyVault.Secrets;
using KvArchive.LocalVault.Tests.Infrastructure;

namespace KvArchive.LocalVault.Tests.Secrets;

/// <summary>Concurrency, Unicode, empty updates and cross-kind blobs.</summary>
public sealed class SecretEdgeCaseTests(LocalVaultFixture fx) : IClassFixture<LocalVaultFixture>
{
    private const string Api = "?api-version=2026-04-01";

    [Fact]
    public async Task Parallel_sets_of_one_name_each_make_a_distinct_version()
    {
        var vault = await fx.NewVaultAsync(new { throttling = false });
        var results = new RawResponse[60];
        await Parallel.ForAsync(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            results[i] = await fx.SendAsync(HttpMethod.Put, vault, "secrets/race" + Api, $$"""{"value":"v{{i}}"}"""));
        Assert.All(results, r => Assert.Equal(200, r.StatusCode));
        var ids = results.Select(r => r.Json["id"]!.GetValue<string>()).ToList();
        Assert.Equal(60, ids.Distinct().Count());

        var versions = await fx.Secrets(vault).GetPropertiesOfSecretVersionsAsync("race").ToListAsync();
        Assert.Equal(ids.Order(), versions.Select(v => v.Id.ToString()).Order());
        var latest = (await fx.Secrets(vault).GetSecretAsync("race")).Value;
        Assert.Contains(latest.Id.ToString(), ids);
        var winner = Array.FindIndex(results, r => r.Json["id"]!.GetValue<string>() == latest.Id.ToString());
        Assert.Equal($"v{winner}", latest.Value);
    }

    [Fact]
    public async Task Unicode_values_tags_and_content_types_round_trip_through_backup()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Secrets(vault);
        var secret = new KeyVaultSecret("uni", "pässwörd ✓ 密码 \u0000 \"quoted\" \\ \n end") { Properties = { ContentType = "text/plain; charset=ütf" } };
        secret.Properties.Tags["ключ"] = "значение";
        secret.Properties.Tags["emoji"] = "🔐";
        await client.SetSecretAsync(secret);
        var blob = (await client.BackupSecretAsync("uni")).Value;

        var other = await fx.NewVaultAsync();
        await fx.Secrets(other).RestoreSecretBackupAsync(blob);
        var back = (await fx.Secrets(other).GetSecretAsync("uni")).Value;
        Assert.Equal(secret.Value, back.Value);
        Assert.Equal(secret.Properties.ContentType, back.Properties.ContentType);
        Assert.Equal("значение", back.Properties.Tags["ключ"]);
        Assert.Equal("🔐", back.Properties.Tags["emoji"]);
    }

    [Fact]
    public async Task Empty_update_changes_nothing_but_the_update_time_at_most()
    {
        var vault = await fx.NewVaultAsync();
        var set = new KeyVaultSecret("same", "v") { Properties = { ContentType = "ct" } };
        set.Properties.Tags["a"] = "b";
        var created = (await fx.Secrets(vault).SetSecretAsync(set)).Value;
        var r = await fx.SendAsync(HttpMethod.Patch, vault, $"secrets/same/{created.Properties.Version}" + Api, "{}");
        Assert.True(r.StatusCode == 200, r.ToString());
        Assert.Equal("ct", r.Json["contentType"]!.GetValue<string>());
        Assert.Equal("b", r.Json["tags"]!["a"]!.GetValue<string>());
        Assert.True(r.Json["attributes"]!["enabled"]!.GetValue<bool>());
        Assert.Equal("v", (await fx.Secrets(vault).GetSecretAsync("same")).Value.Value);

        // Updating the latest version through the versionless path works too (the SDK sends an empty version).
        var latest = await fx.SendAsync(HttpMethod.Patch, vault, "secrets/same/" + Api, "{\"contentType\":\"new\"}");
        Assert.True(latest.StatusCode == 200, latest.ToString());
        Assert.Equal(created.Id.ToString(), latest.Json["id"]!.GetValue<string>());
        Assert.Equal("new", latest.Json["contentType"]!.GetValue<string>());
    }

    [Fact]
    public async Task Blobs_only_restore_as_their_own_kind()
    {
        var vault = await fx.NewVaultAsync();
        await fx.Secrets(vault).SetSecretAsync("s", "v");
        var secretBlob = Base64Url.Encode((await fx.Secrets(vault).BackupSecretAsync("s")).Value);
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Post, vault, "keys/k/create" + Api, """{"kty":"EC","crv":"P-256"}""")).StatusCode);
        var keyBlob = (await fx.SendAsync(HttpMethod.Post, vault, "keys/k/backup" + Api)).Json["value"]!.GetValue<string>();

        var target = await fx.NewVaultAsync();
        KvAssert.Error(await fx.SendAsync(HttpMethod.Post, target, "keys/restore" + Api, $$"""{"value":"{{secretBlob}}"}"""), 400);
        KvAssert.Error(await fx.SendAsync(HttpMethod.Post, target, "secrets/restore" + Api, $$"""{"value":"{{keyBlob}}"}"""), 400);
        KvAssert.Error(await fx.SendAsync(HttpMethod.Post, target, "certificates/restore" + Api, $$"""{"value":"{{keyBlob}}"}"""), 400);
        Assert.Empty((await fx.SendAsync(HttpMethod.Get, target, "keys" + Api)).Json["value"]!.AsArray());
        Assert.Empty((await fx.SendAsync(HttpMethod.Get, target, "secrets" + Api)).Json["value"]!.AsArray());
        Assert.Empty((await fx.SendAsync(HttpMethod.Get, target, "certificates" + Api)).Json["value"]!.AsArray());

        // Each restores fine as its own kind.
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Post, target, "keys/restore" + Api, $$"""{"value":"{{keyBlob}}"}""")).StatusCode);
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Post, target, "secrets/restore" + Api, $$"""{"value":"{{secretBlob}}"}""")).StatusCode);
    }

    [Fact]
    public async Task Name_case_of_a_later_set_reaches_the_same_secret()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Secrets(vault);
        await client.SetSecretAsync("MixedCase", "one");
        await client.SetSecretAsync("mixedcase", "two");
        var names = (await client.GetPropertiesOfSecretsAsync().ToListAsync()).Select(p => p.Name).ToList();
        Assert.Single(names);
        Assert.Equal(2, (await client.GetPropertiesOfSecretVersionsAsync("MIXEDCASE").ToListAsync()).Count);
        Assert.Equal("two", (await client.GetSecretAsync("MixedCase")).Value.Value);
        await (await client.StartDeleteSecretAsync("MIXEDcase")).WaitForCompletionAsync(TimeSpan.FromMilliseconds(100), default);
        Assert.Single(await client.GetDeletedSecretsAsync().ToListAsync());
        Assert.Equal(204, (await client.PurgeDeletedSecretAsync("mixedCASE")).Status);
    }
}
