using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Azure;
using KvArchive.LocalVault.Tests.Infrastructure;

namespace KvArchive.LocalVault.Tests.Auth;

/// <summary>The 401 challenge, token checks and per-identity permissions, raw and through the SDK.</summary>
public sealed partial class AuthenticationTests(LocalVaultFixture fx) : IClassFixture<LocalVaultFixture>
{
    private const string Api = "?api-version=2026-04-01";
    private const string MissingTokenBody = """{"error":{"code":"Unauthorized","message":"AKV10000: Request is missing a Bearer or PoP token."}}""";

    [GeneratedRegex("""^Bearer authorization="https://login\.microsoftonline\.com/[0-9A-Za-z.-]+", resource="https://vault\.localhost"$""")]
    private static partial Regex ChallengePattern();

    public static TheoryData<string, string, string?> AnyRequest => new()
    {
        { "GET", "secrets/x" + Api, null },
        { "PUT", "secrets/x" + Api, "{\"value\":\"v\"}" },
        { "PUT", "secrets/x" + Api, "{broken json" },
        { "PUT", "secrets/bad_name" + Api, null },
        { "GET", "no/such/route" + Api, null },
        { "GET", "secrets/x?api-version=1999-01-01", null },
        { "GET", "secrets/x", null },
        { "POST", "secrets/restore" + Api, "{\"value\":\"garbage\"}" },
        { "POST", "keys/k/create" + Api, "{\"kty\":\"RSA\"}" },
        { "GET", "certificates" + Api, null },
        { "DELETE", "deletedsecrets/x" + Api, null },
    };

    [Theory]
    [MemberData(nameof(AnyRequest))]
    public async Task Request_without_token_gets_the_challenge_before_routing(string method, string path, string? body)
    {
        var vault = await fx.NewVaultAsync();
        var r = await fx.SendAsync(new HttpMethod(method), vault, path, body, token: string.Empty);
        AssertChallenge(r);
        Assert.Equal(MissingTokenBody, r.Text);
    }

    [Fact]
    public async Task Unknown_tampered_and_foreign_tokens_get_401_with_the_challenge()
    {
        var vault = await fx.NewVaultAsync();
        var good = await fx.TokenAsync();
        var tampered = good[..^3] + (good[^3] == 'A' ? "B" : "A") + good[^2..];
        foreach (var token in new[] { "abc", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", tampered, good + "x", new string('a', 400) })
        {
            var r = await fx.SendAsync(HttpMethod.Get, vault, "secrets" + Api, token: token);
            AssertChallenge(r);
            KvAssert.ErrorShape(r);
            Assert.Equal("Unauthorized", r.ErrorCode);
        }

        var ok = await fx.SendAsync(HttpMethod.Get, vault, "secrets" + Api, token: good);
        Assert.Equal(200, ok.StatusCode);
    }

    [Fact]
    public async Task Non_bearer_scheme_is_401()
    {
        var vault = await fx.NewVaultAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(vault.Uri, "secrets" + Api));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("a:b"u8.ToArray()));
        using var response = await fx.Http.SendAsync(request);
        var r = await RawResponse.ReadAsync(response);
        AssertChallenge(r);
    }

    [Fact]
    public async Task Expired_token_is_401()
    {
        var vault = await fx.NewVaultAsync();
        var (token, expires) = await fx.Server.CreateTokenAsync("short-lived", lifetimeSeconds: 4);
        Assert.InRange(expires, DateTimeOffset.UtcNow.AddSeconds(1), DateTimeOffset.UtcNow.AddSeconds(6));
        var early = await fx.SendAsync(HttpMethod.Get, vault, "secrets" + Api, token: token);
        Assert.Equal(200, early.StatusCode);
        var wait = expires.AddSeconds(1.5) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        var late = await fx.SendAsync(HttpMethod.Get, vault, "secrets" + Api, token: token);
        AssertChallenge(late);
        Assert.Equal("Unauthorized", late.ErrorCode);
    }

    [Fact]
    public async Task Permissions_limit_what_a_token_can_do()
    {
        var vault = await fx.NewVaultAsync();
        await fx.Secrets(vault).SetSecretAsync("readable", "v");
        var (readOnly, _) = await fx.Server.CreateTokenAsync("reader", ["secrets/get", "secrets/list"]);

        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Get, vault, "secrets/readable" + Api, token: readOnly)).StatusCode);
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Get, vault, "secrets" + Api, token: readOnly)).StatusCode);
        foreach (var (method, path, body) in new (string, string, string?)[]
        {
            ("PUT", "secrets/readable", "{\"value\":\"new\"}"),
            ("DELETE", "secrets/readable", null),
            ("POST", "secrets/readable/backup", null),
            ("PATCH", "secrets/readable/" + new string('0', 32), "{\"contentType\":\"x\"}"),
            ("GET", "deletedsecrets", null),
            ("GET", "keys", null),
            ("GET", "certificates", null),
        })
        {
            var r = await fx.SendAsync(new HttpMethod(method), vault, path + Api, body, token: readOnly);
            KvAssert.Error(r, 403, "Forbidden", "ForbiddenByRbac");
        }

        // Through the SDK: reads work, writes throw 403.
        var sdk = fx.Secrets(vault, fx.Server.CreateCredential("reader-sdk", ["secrets/get", "secrets/list"]));
        Assert.Equal("v", (await sdk.GetSecretAsync("readable")).Value.Value);
        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => sdk.SetSecretAsync("readable", "nope"));
        Assert.Equal(403, ex.Status);
        Assert.Equal("Forbidden", ex.ErrorCode);
        Assert.Equal("v", (await fx.Secrets(vault).GetSecretAsync("readable")).Value.Value);
        Assert.Single(await fx.Secrets(vault).GetPropertiesOfSecretVersionsAsync("readable").ToListAsync());
    }

    [Fact]
    public async Task Sdk_completes_the_challenge_handshake()
    {
        var vault = await fx.NewVaultAsync();
        await fx.Server.ResetStatsAsync(vault.Name);
        var client = fx.Secrets(vault);
        await client.SetSecretAsync("hand", "shake");
        Assert.Equal("shake", (await client.GetSecretAsync("hand")).Value.Value);
        var stats = await fx.Server.GetStatsAsync(vault.Name);
        Assert.Equal(1, stats["byStatus"]!["401"]!.GetValue<int>());
        Assert.Equal(2, stats["byStatus"]!["200"]!.GetValue<int>());
    }

    [Fact]
    public async Task Management_endpoints_need_the_key()
    {
        using var http = fx.Server.CreateRawClient();
        var health = await http.GetAsync(new Uri(fx.Server.BaseUri, "_localvault/health"));
        Assert.Equal(200, (int)health.StatusCode);
        Assert.Contains("\"ok\"", await health.Content.ReadAsStringAsync());

        foreach (var key in new string?[] { null, "wrong-key" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fx.Server.BaseUri, "_localvault/vaults"))
            {
                Content = new StringContent("{\"name\":\"sneaky\"}", System.Text.Encoding.UTF8, "application/json"),
            };
            if (key is not null)
            {
                request.Headers.Add("x-localvault-key", key);
            }

            using var response = await http.SendAsync(request);
            Assert.True((int)response.StatusCode is 401 or 403, $"{key}: {(int)response.StatusCode}");
        }

        // The vault was not created.
        var r = await fx.SendAsync(HttpMethod.Get, new VaultRef("sneaky", fx.Server.VaultUri("sneaky")), "secrets" + Api);
        Assert.Equal(404, r.StatusCode);

        // A bearer token is no management key.
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(fx.Server.BaseUri, "_localvault/vaults"));
        tokenRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await fx.TokenAsync());
        using var tokenResponse = await http.SendAsync(tokenRequest);
        Assert.True((int)tokenResponse.StatusCode is 401 or 403);
    }

    private static void AssertChallenge(RawResponse r)
    {
        Assert.True(r.StatusCode == 401, r.ToString());
        var challenge = r.Header("WWW-Authenticate");
        Assert.NotNull(challenge);
        Assert.Matches(ChallengePattern(), challenge);
        Assert.StartsWith("application/json", r.ContentType);
        Assert.False(string.IsNullOrEmpty(r.Header("x-ms-request-id")));
    }
}
