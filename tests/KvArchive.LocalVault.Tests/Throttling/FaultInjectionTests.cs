using System.Diagnostics;
using KvArchive.LocalVault.Tests.Infrastructure;

namespace KvArchive.LocalVault.Tests.Throttling;

/// <summary>Injected latency, status answers, dropped connections and stalls, per vault and route.</summary>
public sealed class FaultInjectionTests(LocalVaultFixture fx) : IClassFixture<LocalVaultFixture>
{
    private const string Api = "?api-version=2026-04-01";

    [Fact]
    public async Task Latency_is_added_to_every_call_of_the_vault_only()
    {
        var vault = await fx.NewVaultAsync();
        var other = await fx.NewVaultAsync();
        await fx.SendAsync(HttpMethod.Get, vault, "secrets" + Api); // warm the connection
        await fx.Server.SetFaultsAsync(vault.Name, new { latencyMs = 400, jitterMs = 0 });
        var watch = Stopwatch.StartNew();
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Get, vault, "secrets" + Api)).StatusCode);
        Assert.True(watch.ElapsedMilliseconds >= 390, $"{watch.ElapsedMilliseconds} ms");

        watch.Restart();
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Get, other, "secrets" + Api)).StatusCode);
        Assert.True(watch.ElapsedMilliseconds < 390, $"other vault took {watch.ElapsedMilliseconds} ms");

        await fx.Server.ClearFaultsAsync(vault.Name);
        watch.Restart();
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Get, vault, "secrets" + Api)).StatusCode);
        Assert.True(watch.ElapsedMilliseconds < 390, $"after clearing: {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Rule_answers_the_next_n_matching_requests_with_its_status()
    {
        var vault = await fx.NewVaultAsync();
        await fx.Secrets(vault).SetSecretAsync("f", "v");
        await fx.Server.SetFaultsAsync(vault.Name, new { rules = new[] { new { method = "POST", pathRegex = "/backup$", status = 503, count = 2 } } });

        // Not matching: untouched.
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Get, vault, "secrets/f" + Api)).StatusCode);
        for (var i = 0; i < 2; i++)
        {
            var r = await fx.SendAsync(HttpMethod.Post, vault, "secrets/f/backup" + Api);
            KvAssert.Error(r, 503);
        }

        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Post, vault, "secrets/f/backup" + Api)).StatusCode);
    }

    [Fact]
    public async Task Dropped_connection_fails_the_request_and_the_next_one_works()
    {
        var vault = await fx.NewVaultAsync();
        await fx.Server.SetFaultsAsync(vault.Name, new { rules = new[] { new { method = "GET", pathRegex = "^/secrets$", status = 0, count = 1, drop = true } } });
        // A fresh client, so the handler cannot quietly retry on another pooled connection.
        using var fresh = fx.Server.CreateRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(vault.Uri, "secrets" + Api));
        request.Headers.Authorization = new("Bearer", await fx.TokenAsync());
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => fresh.SendAsync(request));
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Get, vault, "secrets" + Api)).StatusCode);
    }

    [Fact]
    public async Task Stalled_response_arrives_late()
    {
        var vault = await fx.NewVaultAsync();
        await fx.Secrets(vault).SetSecretAsync("slow", "v");
        await fx.Server.SetFaultsAsync(vault.Name, new { rules = new[] { new { method = "GET", pathRegex = "/secrets/slow", status = 0, count = 1, stallMs = 1500 } } });
        var watch = Stopwatch.StartNew();
        try
        {
            var r = await fx.SendAsync(HttpMethod.Get, vault, "secrets/slow" + Api);
            Assert.True(watch.ElapsedMilliseconds >= 1400, $"{watch.ElapsedMilliseconds} ms, {r.StatusCode}");
        }
        catch (HttpRequestException)
        {
            // A stall may also end with the connection closing; either way it took the time.
            Assert.True(watch.ElapsedMilliseconds >= 1400, $"{watch.ElapsedMilliseconds} ms");
        }

        watch.Restart();
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Get, vault, "secrets/slow" + Api)).StatusCode);
        Assert.True(watch.ElapsedMilliseconds < 1400);
    }

    [Fact]
    public async Task Sdk_retries_through_transient_503()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Secrets(vault);
        await client.SetSecretAsync("t", "v");
        await fx.Server.SetFaultsAsync(vault.Name, new { rules = new[] { new { method = "GET", pathRegex = "/secrets/t", status = 503, count = 2 } } });
        Assert.Equal("v", (await client.GetSecretAsync("t")).Value.Value);
    }
}
