using Azure.Security.KeyVault.Secrets;
using KvArchive.LocalVault.Tests.Infrastructure;

namespace KvArchive.LocalVault.Tests.Secrets;

/// <summary>Bad input gets a Key Vault-shaped 4xx and leaves the vault as it was.</summary>
public sealed class SecretBadInputTests(LocalVaultFixture fx) : IClassFixture<LocalVaultFixture>
{
    private const string Api = "?api-version=2026-04-01";

    public static TheoryData<string, string, string?, int> BadRequests => new()
    {
        // method, path, body, expected status
        { "PUT", "secrets/keep" + Api, "{\"value\": \"unterminated", 400 },
        { "PUT", "secrets/keep" + Api, "not json at all", 400 },
        { "PUT", "secrets/keep" + Api, "[1,2,3]", 400 },
        { "PUT", "secrets/keep" + Api, "{}", 400 },
        { "PUT", "secrets/keep" + Api, "{\"value\": 42}", 400 },
        { "PUT", "secrets/keep" + Api, "{\"value\": null}", 400 },
        { "PUT", "secrets/keep" + Api, "", 400 },
        { "PUT", "secrets/keep" + Api, "{\"value\":\"x\",\"tags\":\"not-an-object\"}", 400 },
        { "PUT", "secrets/keep" + Api, "{\"value\":\"x\",\"attributes\":{\"exp\":\"tomorrow\"}}", 400 },
        { "PUT", "secrets/bad_name" + Api, "{\"value\":\"x\"}", 400 },
        { "PUT", "secrets/bad.name" + Api, "{\"value\":\"x\"}", 400 },
        { "PUT", "secrets/bad%20name" + Api, "{\"value\":\"x\"}", 400 },
        { "PUT", "secrets/" + new string('a', 128) + Api, "{\"value\":\"x\"}", 400 },
        { "PUT", "secrets/keep?api-version=1999-01-01", "{\"value\":\"x\"}", 400 },
        { "PUT", "secrets/keep?api-version=garbage", "{\"value\":\"x\"}", 400 },
        { "PUT", "secrets/keep", "{\"value\":\"x\"}", 400 },
        { "GET", "secrets/keep?api-version=1999-01-01", null, 400 },
        { "GET", "secrets" + Api + "&maxresults=0", null, 400 },
        { "GET", "secrets" + Api + "&maxresults=26", null, 400 },
        { "GET", "secrets" + Api + "&maxresults=-1", null, 400 },
        { "GET", "secrets" + Api + "&maxresults=abc", null, 400 },
        { "GET", "secrets/keep/versions" + Api + "&maxresults=100", null, 400 },
        { "GET", "deletedsecrets" + Api + "&maxresults=0", null, 400 },
        { "PATCH", "secrets/keep/0123456789abcdef0123456789abcdef" + Api, "{broken", 400 },
        { "POST", "secrets/restore" + Api, "{}", 400 },
        { "POST", "secrets/restore" + Api, "{\"value\": 7}", 400 },
        { "POST", "secrets/restore" + Api, "{\"value\": \"!!!not base64!!!\"}", 400 },
        { "POST", "secrets/restore" + Api, "{\"value\": \"\"}", 400 },
        { "POST", "secrets/restore" + Api, "{\"value\": \"" + new string('Q', 4000) + "\"}", 400 },
        { "POST", "secrets/restore" + Api, "garbage", 400 },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_request_is_a_key_vault_error_and_changes_nothing(string method, string path, string? body, int status)
    {
        var (vault, before) = await SeededVaultAsync();
        var r = await fx.SendAsync(new HttpMethod(method), vault, path, body);
        KvAssert.Error(r, status);
        Assert.Contains(r.ErrorCode, new[] { "BadParameter", "BadRequest", "Malformed backup blob" });
        await AssertUnchangedAsync(vault, before);
    }

    [Fact]
    public async Task Value_up_to_25_KB_is_accepted_and_larger_is_refused()
    {
        var (vault, before) = await SeededVaultAsync();
        var client = fx.Secrets(vault);
        var big = new string('x', 25 * 1024);
        var set = (await client.SetSecretAsync("big", big)).Value;
        Assert.Equal(big, (await client.GetSecretAsync("big")).Value.Value);

        var tooBig = new string('y', (25 * 1024) + 1);
        var r = await fx.SendAsync(HttpMethod.Put, vault, "secrets/big" + Api, $$"""{"value":"{{tooBig}}"}""");
        Assert.True(r.StatusCode is 400 or 413, r.StatusCode.ToString());
        KvAssert.ErrorShape(r);
        Assert.Equal(set.Id, (await client.GetSecretAsync("big")).Value.Id);
        Assert.Single(await client.GetPropertiesOfSecretVersionsAsync("big").ToListAsync());
    }

    [Fact]
    public async Task Longest_valid_name_and_mixed_case_work()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Secrets(vault);
        var name = "A-" + new string('b', 124) + "9";
        Assert.Equal(127, name.Length);
        await client.SetSecretAsync(name, "v");
        Assert.Equal("v", (await client.GetSecretAsync(name.ToLowerInvariant())).Value.Value);
    }

    [Fact]
    public async Task Unknown_vault_host_is_404_vault_not_found()
    {
        var unknown = new VaultRef("nosuchvault", fx.Server.VaultUri("nosuchvault"));
        var r = await fx.SendAsync(HttpMethod.Get, unknown, "secrets" + Api);
        KvAssert.Error(r, 404, "VaultNotFound");
    }

    [Fact]
    public async Task Every_supported_api_version_of_the_sdks_is_accepted()
    {
        var vault = await fx.NewVaultAsync();
        foreach (var version in new[] { "7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01", "2026-04-01" })
        {
            var r = await fx.SendAsync(HttpMethod.Get, vault, "secrets?api-version=" + version);
            Assert.True(r.StatusCode == 200, $"{version}: {r}");
        }

        foreach (SecretClientOptions.ServiceVersion v in Enum.GetValues<SecretClientOptions.ServiceVersion>())
        {
            var versioned = new SecretClient(vault.Uri, fx.Credential, new SecretClientOptions(v) { Transport = fx.Server.CreateTransport() });
            await versioned.SetSecretAsync("ver-" + (int)v, "x");
        }
    }

    private async Task<(VaultRef Vault, string Before)> SeededVaultAsync()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Secrets(vault);
        var s = new KeyVaultSecret("keep", "original") { Properties = { ContentType = "text/plain" } };
        s.Properties.Tags["t"] = "1";
        await client.SetSecretAsync(s);
        return (vault, await SnapshotAsync(vault));
    }

    private async Task<string> SnapshotAsync(VaultRef vault)
    {
        var client = fx.Secrets(vault);
        var lines = new List<string>();
        await foreach (var p in client.GetPropertiesOfSecretsAsync())
        {
            await foreach (var v in client.GetPropertiesOfSecretVersionsAsync(p.Name))
            {
                var value = v.Enabled == true ? (await client.GetSecretAsync(v.Name, v.Version)).Value.Value : "(disabled)";
                lines.Add($"{v.Id}|{v.ContentType}|{v.Enabled}|{v.CreatedOn}|{v.UpdatedOn}|{string.Join(",", v.Tags.Select(t => t.Key + "=" + t.Value))}|{value.GetHashCode()}");
            }
        }

        lines.Add("deleted:" + string.Join(",", (await client.GetDeletedSecretsAsync().ToListAsync()).Select(d => d.Name)));
        lines.Sort(StringComparer.Ordinal);
        return string.Join("\n", lines);
    }

    private async Task AssertUnchangedAsync(VaultRef vault, string before) => Assert.Equal(before, await SnapshotAsync(vault));
}
