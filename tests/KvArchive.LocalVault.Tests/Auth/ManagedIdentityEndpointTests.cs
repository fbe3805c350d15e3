using System.Text.Json;
using KvArchive.LocalVault.Tests.Infrastructure;

namespace KvArchive.LocalVault.Tests.Auth;

/// <summary>
/// The managed-identity endpoint in the exact App Service / Azure Automation shape that Azure.Identity's
/// ManagedIdentityCredential uses (IDENTITY_ENDPOINT + IDENTITY_HEADER): GET, plain HTTP, query
/// api-version=2019-08-01&amp;resource=…[&amp;client_id=…], header X-IDENTITY-HEADER.
/// </summary>
public sealed class ManagedIdentityEndpointTests(LocalVaultFixture fx) : IClassFixture<LocalVaultFixture>
{
    private const string Api = "?api-version=2026-04-01";

    [Fact]
    public void Endpoint_is_plain_http_on_loopback()
    {
        var endpoint = new Uri(fx.Server.IdentityEndpoint);
        Assert.Equal("http", endpoint.Scheme);
        Assert.Equal("127.0.0.1", endpoint.Host);
        Assert.Equal(fx.Server.IdentityPort, endpoint.Port);
        Assert.False(string.IsNullOrEmpty(fx.Server.IdentityHeader));
    }

    [Theory]
    [InlineData("https://vault.localhost")]
    [InlineData("https://vault.localhost/")]
    public async Task System_assigned_token_in_app_service_shape_works_on_a_vault(string resource)
    {
        var (status, body) = await GetAsync(resource, header: fx.Server.IdentityHeader);
        Assert.True(status == 200, body);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal(JsonValueKind.String, root.GetProperty("access_token").ValueKind);
        Assert.Equal(JsonValueKind.String, root.GetProperty("expires_on").ValueKind); // App Service sends a string
        var expiresOn = long.Parse(root.GetProperty("expires_on").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiresOn, DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddDays(2).ToUnixTimeSeconds());
        Assert.Equal("Bearer", root.GetProperty("token_type").GetString());
        Assert.StartsWith("https://vault.localhost", root.GetProperty("resource").GetString());
        Assert.True(root.TryGetProperty("client_id", out var clientId) && clientId.ValueKind == JsonValueKind.String);

        var vault = await fx.NewVaultAsync();
        var token = root.GetProperty("access_token").GetString()!;
        var put = await fx.SendAsync(HttpMethod.Put, vault, "secrets/mi" + Api, "{\"value\":\"from-mi\"}", token: token);
        Assert.True(put.StatusCode == 200, put.ToString());
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Get, vault, "secrets/mi" + Api, token: token)).StatusCode);
    }

    [Fact]
    public async Task Missing_or_wrong_identity_header_is_refused()
    {
        foreach (var header in new string?[] { null, "wrong", string.Empty })
        {
            var (status, body) = await GetAsync("https://vault.localhost", header);
            Assert.True(status is 400 or 401 or 403, $"{header}: {status} {body}");
            Assert.DoesNotContain("access_token", body);
        }
    }

    [Fact]
    public async Task Missing_resource_or_api_version_is_400()
    {
        using var http = new HttpClient();
        foreach (var query in new[] { "?api-version=2019-08-01", "?resource=https://vault.localhost" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, fx.Server.IdentityEndpoint + query);
            request.Headers.Add("X-IDENTITY-HEADER", fx.Server.IdentityHeader);
            using var response = await http.SendAsync(request);
            Assert.True((int)response.StatusCode == 400, $"{query}: {(int)response.StatusCode}");
            Assert.DoesNotContain("access_token", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task User_assigned_identity_gets_its_own_permissions()
    {
        var clientId = Guid.NewGuid().ToString();
        await fx.Server.DefineIdentityAsync(clientId, ["secrets/get"]);
        var (status, body) = await GetAsync("https://vault.localhost", fx.Server.IdentityHeader, clientId);
        Assert.True(status == 200, body);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(clientId, json.RootElement.GetProperty("client_id").GetString());
        var token = json.RootElement.GetProperty("access_token").GetString()!;

        var vault = await fx.NewVaultAsync();
        await fx.Secrets(vault).SetSecretAsync("ua", "v");
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Get, vault, "secrets/ua" + Api, token: token)).StatusCode);
        KvAssert.Error(await fx.SendAsync(HttpMethod.Put, vault, "secrets/ua" + Api, "{\"value\":\"w\"}", token: token), 403, "Forbidden", "ForbiddenByRbac");

        // Changing the identity's permissions takes effect for new tokens.
        await fx.Server.DefineIdentityAsync(clientId, ["secrets/get", "secrets/set"]);
        var (_, body2) = await GetAsync("https://vault.localhost", fx.Server.IdentityHeader, clientId);
        using var json2 = JsonDocument.Parse(body2);
        var token2 = json2.RootElement.GetProperty("access_token").GetString()!;
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Put, vault, "secrets/ua" + Api, "{\"value\":\"w\"}", token: token2)).StatusCode);
    }

    [Fact]
    public async Task Unknown_client_id_is_400()
    {
        var (status, body) = await GetAsync("https://vault.localhost", fx.Server.IdentityHeader, Guid.NewGuid().ToString());
        Assert.True(status == 400, $"{status} {body}");
        Assert.DoesNotContain("access_token", body);
    }

    private async Task<(int Status, string Body)> GetAsync(string resource, string? header, string? clientId = null)
    {
        using var http = new HttpClient();
        var url = $"{fx.Server.IdentityEndpoint}?api-version=2019-08-01&resource={Uri.EscapeDataString(resource)}";
        if (clientId is not null)
        {
            url += "&client_id=" + Uri.EscapeDataString(clientId);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation("X-IDENTITY-HEADER", header);
        }

        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
