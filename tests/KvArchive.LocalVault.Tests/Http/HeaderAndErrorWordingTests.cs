using KvArchive.LocalVault.Tests.Infrastructure;

namespace KvArchive.LocalVault.Tests.Http;

/// <summary>Exact headers and error bodies, raw, as the real service sends them (wording from the recordings).</summary>
public sealed class HeaderAndErrorWordingTests(LocalVaultFixture fx) : IClassFixture<LocalVaultFixture>
{
    private const string Api = "?api-version=2026-04-01";
    private const string NotFoundTail = " was not found in this key vault. If you recently deleted this {0} you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182";

    [Fact]
    public async Task Success_and_error_carry_content_type_request_id_and_echo_the_client_request_id()
    {
        var vault = await fx.NewVaultAsync();
        var ids = new HashSet<string>();
        foreach (var (method, path, body, status) in new (string, string, string?, int)[]
        {
            ("PUT", "secrets/h", "{\"value\":\"v\"}", 200),
            ("GET", "secrets/h", null, 200),
            ("GET", "secrets", null, 200),
            ("GET", "secrets/none", null, 404),
            ("GET", "secrets/h?api-version=0.0", null, 400),
        })
        {
            var clientRequestId = Guid.NewGuid().ToString();
            var r = await fx.SendAsync(new HttpMethod(method), vault, path.Contains('?') ? path : path + Api, body, headers: new Dictionary<string, string> { ["x-ms-client-request-id"] = clientRequestId });
            Assert.True(r.StatusCode == status, $"{method} {path}: {r}");
            Assert.Equal("application/json; charset=utf-8", r.ContentType);
            var requestId = r.Header("x-ms-request-id");
            Assert.False(string.IsNullOrEmpty(requestId));
            Assert.True(ids.Add(requestId!), "x-ms-request-id must be unique per response");
            Assert.Equal(clientRequestId, r.Header("x-ms-client-request-id"));
        }

        // The 401 challenge echoes it too.
        var challengeId = Guid.NewGuid().ToString();
        var challenge = await fx.SendAsync(HttpMethod.Get, vault, "secrets" + Api, token: string.Empty, headers: new Dictionary<string, string> { ["x-ms-client-request-id"] = challengeId });
        Assert.Equal(401, challenge.StatusCode);
        Assert.Equal(challengeId, challenge.Header("x-ms-client-request-id"));
        Assert.Equal("application/json; charset=utf-8", challenge.ContentType);
    }

    [Fact]
    public async Task Purge_is_204_without_body()
    {
        var vault = await fx.NewVaultAsync();
        await fx.SendAsync(HttpMethod.Put, vault, "secrets/p" + Api, "{\"value\":\"v\"}");
        await fx.SendAsync(HttpMethod.Delete, vault, "secrets/p" + Api);
        var r = await fx.SendAsync(HttpMethod.Delete, vault, "deletedsecrets/p" + Api);
        Assert.Equal(204, r.StatusCode);
        Assert.Equal(string.Empty, r.Text);
        Assert.False(string.IsNullOrEmpty(r.Header("x-ms-request-id")));
    }

    [Theory]
    [InlineData("secrets", "secret", "SecretNotFound", "Secret")]
    [InlineData("keys", "key", "KeyNotFound", "Key")]
    [InlineData("certificates", "certificate", "CertificateNotFound", "Certificate")]
    public async Task Not_found_wording_matches_the_service(string collection, string noun, string code, string title)
    {
        var vault = await fx.NewVaultAsync();
        var live = await fx.SendAsync(HttpMethod.Get, vault, $"{collection}/Missing1" + Api);
        KvAssert.Error(live, 404, code);
        Assert.Equal($"A {noun} with (name/id) Missing1" + string.Format(NotFoundTail, noun), live.ErrorMessage);
        Assert.Null(live.Json["error"]!["innererror"]);

        var delete = await fx.SendAsync(HttpMethod.Delete, vault, $"{collection}/Missing2" + Api);
        KvAssert.Error(delete, 404, code);
        Assert.Equal($"A {noun} with (name/id) Missing2" + string.Format(NotFoundTail, noun), delete.ErrorMessage);

        var deleted = await fx.SendAsync(HttpMethod.Get, vault, $"deleted{collection}/Missing3" + Api);
        KvAssert.Error(deleted, 404, code);
        Assert.Equal($"Deleted {title} not found: Missing3", deleted.ErrorMessage);
    }

    [Fact]
    public async Task Disabled_secret_wording_matches_the_service()
    {
        var vault = await fx.NewVaultAsync();
        var set = await fx.SendAsync(HttpMethod.Put, vault, "secrets/off" + Api, "{\"value\":\"v\",\"attributes\":{\"enabled\":false}}");
        Assert.True(set.StatusCode == 200, set.ToString());
        Assert.False(set.Json["attributes"]!["enabled"]!.GetValue<bool>());
        var r = await fx.SendAsync(HttpMethod.Get, vault, "secrets/off" + Api);
        Assert.Equal("""{"error":{"code":"Forbidden","message":"Operation get is not allowed on a disabled secret.","innererror":{"code":"SecretDisabled"}}}""", r.Text);
        KvAssert.ErrorShape(r);
    }

    [Fact]
    public async Task Key_conflict_wording_matches_the_service()
    {
        var vault = await fx.NewVaultAsync(new { deleteDelayMs = 1500 });
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Post, vault, "keys/CreateDeletedKey/create" + Api, """{"kty":"EC","crv":"P-256"}""")).StatusCode);
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Delete, vault, "keys/CreateDeletedKey" + Api)).StatusCode);
        var being = await fx.SendAsync(HttpMethod.Post, vault, "keys/CreateDeletedKey/create" + Api, """{"kty":"EC","crv":"P-256"}""");
        Assert.Equal("""{"error":{"code":"Conflict","message":"Key CreateDeletedKey is currently being deleted and cannot be re-created; retry later.","innererror":{"code":"ObjectIsBeingDeleted"}}}""", being.Text);
        Assert.Equal(409, being.StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(6);
        while ((await fx.SendAsync(HttpMethod.Get, vault, "deletedkeys/CreateDeletedKey" + Api)).StatusCode != 200)
        {
            Assert.True(DateTime.UtcNow < deadline, "the key never showed up as deleted");
            await Task.Delay(100);
        }

        var recoverable = await fx.SendAsync(HttpMethod.Post, vault, "keys/CreateDeletedKey/create" + Api, """{"kty":"EC","crv":"P-256"}""");
        Assert.Equal(409, recoverable.StatusCode);
        Assert.Equal("""{"error":{"code":"Conflict","message":"Key CreateDeletedKey is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the key can only be recovered or purged.","innererror":{"code":"ObjectIsDeletedButRecoverable"}}}""", recoverable.Text);
    }

    [Fact]
    public async Task Throttled_body_matches_the_service_and_has_no_retry_after()
    {
        var vault = await fx.NewVaultAsync();
        await fx.Server.SetFaultsAsync(vault.Name, new { rules = new[] { new { method = "GET", pathRegex = "^/secrets$", status = 429, count = 1 } } });
        var r = await fx.SendAsync(HttpMethod.Get, vault, "secrets" + Api);
        Assert.Equal(429, r.StatusCode);
        Assert.Equal("""{"error":{"code":"Throttled","message":"Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached"}}""", r.Text);
        Assert.Null(r.Header("Retry-After"));
        KvAssert.ErrorShape(r);
    }
}
