using System.Text.Json;
using System.Text.Json.Nodes;
using KvArchive.LocalVault.Tests.Infrastructure;

namespace KvArchive.LocalVault.Tests.Persistence;

/// <summary>
/// Every kind of change answered with success is on disk when answered: each test makes its changes, kills the
/// process with SIGKILL right after the last answer (no shutdown save), restarts on the directory and reads them back.
/// </summary>
public sealed class DurableChangesTests : IDisposable
{
    private const string Api = "?api-version=2026-04-01";
    private readonly DataDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Every_kind_of_change_survives_kill_9()
    {
        string name, slowName, aVersion1;
        await using (var a = await LocalVaultFixture.StartAsync("--data-dir", _dir.Path))
        {
            var vault = await a.NewVaultAsync(new { recoverableDays = 30 });
            name = vault.Name;
            await a.Server.UpdateVaultAsync(name, new { recoverableDays = 14 });

            // Secrets: versions, update, delete, purge, recover.
            aVersion1 = Version((await Ok(a, HttpMethod.Put, vault, "secrets/a", """{"value":"a1"}""")).Json);
            await Ok(a, HttpMethod.Put, vault, "secrets/a", """{"value":"a2","contentType":"text/plain"}""");
            await Ok(a, HttpMethod.Patch, vault, "secrets/a/", """{"attributes":{"enabled":false},"tags":{"t":"1"}}""");
            foreach (var s in new[] { "b", "c", "d" })
            {
                await Ok(a, HttpMethod.Put, vault, $"secrets/{s}", $$"""{"value":"{{s}}"}""");
                await Ok(a, HttpMethod.Delete, vault, $"secrets/{s}");
            }

            Assert.Equal(204, (await a.SendAsync(HttpMethod.Delete, vault, "deletedsecrets/c" + Api)).StatusCode);
            await Ok(a, HttpMethod.Post, vault, "deletedsecrets/d/recover");

            // Keys: create, rotate, rotation policy.
            await Ok(a, HttpMethod.Post, vault, "keys/k/create", """{"kty":"EC","crv":"P-256"}""");
            await Ok(a, HttpMethod.Post, vault, "keys/k/rotate");
            await Ok(a, HttpMethod.Put, vault, "keys/k/rotationpolicy", """{"lifetimeActions":[{"trigger":{"timeBeforeExpiry":"P30D"},"action":{"type":"Notify"}}],"attributes":{"expiryTime":"P90D"}}""");

            // Certificates: create (completed at the first poll), contacts.
            var create = await a.SendAsync(HttpMethod.Post, vault, "certificates/cert/create" + Api,
                """{"policy":{"key_props":{"kty":"EC","crv":"P-256","exportable":true},"secret_props":{"contentType":"application/x-pkcs12"},"x509_props":{"subject":"CN=cert","validity_months":12},"issuer":{"name":"Self"}}}""");
            Assert.True(create.StatusCode == 202, create.ToString());
            Assert.Equal("completed", (await Ok(a, HttpMethod.Get, vault, "certificates/cert/pending")).Json["status"]!.GetValue<string>());
            await Ok(a, HttpMethod.Put, vault, "certificates/contacts", """{"contacts":[{"email":"ops@example.com"}]}""");

            // An asynchronous delete still under way when the process dies ends deleted.
            var slow = await a.NewVaultAsync(new { deleteDelayMs = 600_000 });
            slowName = slow.Name;
            await Ok(a, HttpMethod.Put, slow, "secrets/e", """{"value":"e"}""");
            await Ok(a, HttpMethod.Delete, slow, "secrets/e");
            a.Server.Kill();
        }

        await using var b = await LocalVaultFixture.StartAsync("--data-dir", _dir.Path);
        var again = new VaultRef(name, b.Server.VaultUri(name));
        var settings = await b.Server.SendAsync(HttpMethod.Get, $"_localvault/vaults/{name}", null);
        Assert.Equal(14, settings["recoverableDays"]!.GetValue<int>());

        var versions = (await Ok(b, HttpMethod.Get, again, "secrets/a/versions")).Json["value"]!.AsArray();
        Assert.Equal(2, versions.Count);
        Assert.Equal("a1", (await Ok(b, HttpMethod.Get, again, $"secrets/a/{aVersion1}")).Json["value"]!.GetValue<string>());
        KvAssert.Error(await b.SendAsync(HttpMethod.Get, again, "secrets/a" + Api), 403, "Forbidden", "SecretDisabled");
        var latest = versions.Single(v => v!["attributes"]!["enabled"]!.GetValue<bool>() == false)!;
        Assert.Equal("1", latest["tags"]!["t"]!.GetValue<string>());

        await Ok(b, HttpMethod.Get, again, "deletedsecrets/b");
        KvAssert.Error(await b.SendAsync(HttpMethod.Get, again, "deletedsecrets/c" + Api), 404);
        KvAssert.Error(await b.SendAsync(HttpMethod.Get, again, "secrets/c" + Api), 404);
        Assert.Equal("d", (await Ok(b, HttpMethod.Get, again, "secrets/d")).Json["value"]!.GetValue<string>());

        Assert.Equal(2, (await Ok(b, HttpMethod.Get, again, "keys/k/versions")).Json["value"]!.AsArray().Count);
        Assert.Equal("P90D", (await Ok(b, HttpMethod.Get, again, "keys/k/rotationpolicy")).Json["attributes"]!["expiryTime"]!.GetValue<string>());

        await Ok(b, HttpMethod.Get, again, "certificates/cert");
        await Ok(b, HttpMethod.Get, again, "secrets/cert");
        await Ok(b, HttpMethod.Get, again, "keys/cert");
        Assert.Equal("ops@example.com", (await Ok(b, HttpMethod.Get, again, "certificates/contacts")).Json["contacts"]![0]!["email"]!.GetValue<string>());

        var slowAgain = new VaultRef(slowName, b.Server.VaultUri(slowName));
        await Ok(b, HttpMethod.Get, slowAgain, "deletedsecrets/e");
    }

    [Fact]
    public async Task A_removed_vault_stays_removed_after_kill_9()
    {
        string name;
        await using (var a = await LocalVaultFixture.StartAsync("--data-dir", _dir.Path))
        {
            var vault = await a.NewVaultAsync();
            name = vault.Name;
            await Ok(a, HttpMethod.Put, vault, "secrets/x", """{"value":"x"}""");
            await a.Server.SendAsync(HttpMethod.Delete, $"_localvault/vaults/{name}", null);
            a.Server.Kill();
        }

        await using var b = await LocalVaultFixture.StartAsync("--data-dir", _dir.Path);
        KvAssert.Error(await b.SendAsync(HttpMethod.Get, new VaultRef(name, b.Server.VaultUri(name)), "secrets" + Api), 404, "VaultNotFound");
    }

    [Fact]
    public async Task User_assigned_identities_survive_a_restart_and_kill_9()
    {
        var reader = "reader-" + Guid.NewGuid().ToString("N");
        var removed = "removed-" + Guid.NewGuid().ToString("N");
        string name;
        await using (var a = await LocalVaultFixture.StartAsync("--data-dir", _dir.Path))
        {
            var vault = await a.NewVaultAsync();
            name = vault.Name;
            await Ok(a, HttpMethod.Put, vault, "secrets/ua", """{"value":"v"}""");
            await a.Server.DefineIdentityAsync(reader, ["secrets/get", "secrets/list"]);
            await a.Server.DefineIdentityAsync(removed, null);
            await a.Server.SendAsync(HttpMethod.Delete, $"_localvault/identities/{removed}", null);
            a.Server.Kill();
        }

        // After SIGKILL, then again after a clean stop (the snapshot path).
        for (var run = 0; run < 2; run++)
        {
            await using var b = await LocalVaultFixture.StartAsync("--data-dir", _dir.Path);
            var listed = (await b.Server.SendAsync(HttpMethod.Get, "_localvault/identities", null))["value"]!.AsArray();
            var mine = listed.Single(i => i!["clientId"]!.GetValue<string>() == reader)!;
            Assert.Equal(["secrets/get", "secrets/list"], mine["permissions"]!.AsArray().Select(p => p!.GetValue<string>()).Order(StringComparer.Ordinal));
            Assert.DoesNotContain(listed, i => i!["clientId"]!.GetValue<string>() == removed);

            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{b.Server.IdentityEndpoint}?api-version=2019-08-01&resource={Uri.EscapeDataString("https://vault.localhost")}&client_id={reader}");
            request.Headers.TryAddWithoutValidation("X-IDENTITY-HEADER", b.Server.IdentityHeader);
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, body);
            var token = JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
            var vault = new VaultRef(name, b.Server.VaultUri(name));
            Assert.Equal(200, (await b.SendAsync(HttpMethod.Get, vault, "secrets/ua" + Api, token: token)).StatusCode);
            KvAssert.Error(await b.SendAsync(HttpMethod.Put, vault, "secrets/ua" + Api, """{"value":"w"}""", token: token), 403, "Forbidden", "ForbiddenByRbac");
        }
    }

    private static string Version(JsonNode bundle)
    {
        var id = bundle["id"]!.GetValue<string>();
        return id[(id.LastIndexOf('/') + 1)..];
    }

    private static async Task<RawResponse> Ok(LocalVaultFixture fx, HttpMethod method, VaultRef vault, string path, string? body = null)
    {
        var r = await fx.SendAsync(method, vault, path + Api, body);
        Assert.True(r.StatusCode == 200, $"{method} {path}: {r}");
        return r;
    }
}
