using System.Diagnostics;
using Azure;
using KvArchive.LocalVault.Tests.Infrastructure;

namespace KvArchive.LocalVault.Tests.Throttling;

/// <summary>Per-vault budgets, the 429 the service sends (no Retry-After by default) and the SDK recovering.</summary>
public sealed class ThrottlingTests(LocalVaultFixture fx) : IClassFixture<LocalVaultFixture>
{
    private const string Api = "?api-version=2026-04-01";
    private const string ThrottledMessage = "Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached";

    [Fact]
    public async Task Secret_sets_over_300_in_10_seconds_get_429_without_retry_after_and_gets_still_work()
    {
        var vault = await fx.NewVaultAsync();
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Put, vault, "secrets/probe" + Api, "{\"value\":\"v\"}")).StatusCode);
        var watch = Stopwatch.StartNew();
        var results = await SendManyAsync(vault, 330, i => (HttpMethod.Put, $"secrets/s{i % 10}{Api}", "{\"value\":\"x\"}"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(9), $"sending took {watch.Elapsed}; the window may have slid");

        var ok = results.Count(r => r.StatusCode == 200);
        var throttled = results.Where(r => r.StatusCode == 429).ToList();
        Assert.Equal(299, ok); // one set was spent on the probe
        Assert.Equal(31, throttled.Count);
        foreach (var r in throttled)
        {
            KvAssert.Error(r, 429, "Throttled");
            Assert.Equal(ThrottledMessage, r.ErrorMessage);
            Assert.Null(r.Header("Retry-After"));
        }

        // Reads have their own, larger budget.
        var get = await fx.SendAsync(HttpMethod.Get, vault, "secrets/probe" + Api);
        Assert.Equal(200, get.StatusCode);

        // Another vault is not affected.
        var other = await fx.NewVaultAsync();
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Put, other, "secrets/a" + Api, "{\"value\":\"x\"}")).StatusCode);

        var stats = await fx.Server.GetStatsAsync(vault.Name);
        Assert.Equal(31, stats["throttled"]!.GetValue<int>());
        Assert.Equal(31, stats["byStatus"]!["429"]!.GetValue<int>());
    }

    [Fact]
    public async Task Retry_after_is_sent_when_the_vault_sets_it_and_throttled_requests_do_not_count()
    {
        var vault = await fx.NewVaultAsync(new { retryAfterSeconds = 3 });
        var start = Stopwatch.StartNew();
        var first = await SendManyAsync(vault, 300, i => (HttpMethod.Put, $"secrets/r{i % 5}{Api}", "{\"value\":\"x\"}"));
        Assert.All(first, r => Assert.Equal(200, r.StatusCode));

        // Keep knocking while over budget; these must not extend the window.
        for (var i = 0; i < 5; i++)
        {
            var r = await fx.SendAsync(HttpMethod.Put, vault, "secrets/r0" + Api, "{\"value\":\"x\"}");
            KvAssert.Error(r, 429, "Throttled");
            Assert.Equal("3", r.Header("Retry-After"));
            await Task.Delay(1000);
        }

        // Once the first 300 leave the 10 s window, sets work again although 429s were answered within it.
        var wait = TimeSpan.FromSeconds(10.8) - start.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        var after = await fx.SendAsync(HttpMethod.Put, vault, "secrets/r0" + Api, "{\"value\":\"x\"}");
        Assert.True(after.StatusCode == 200, after.ToString());
    }

    [Fact]
    public async Task Key_creates_over_20_are_throttled()
    {
        var vault = await fx.NewVaultAsync();
        var results = await SendManyAsync(vault, 24, i => (HttpMethod.Post, $"keys/k{i}/create{Api}", "{\"kty\":\"EC\",\"crv\":\"P-256\"}"), parallel: 4);
        Assert.Equal(20, results.Count(r => r.StatusCode == 200));
        Assert.All(results.Where(r => r.StatusCode != 200), r =>
        {
            KvAssert.Error(r, 429, "Throttled");
            Assert.Null(r.Header("Retry-After"));
        });
    }

    [Fact]
    public async Task Throttling_off_lets_everything_through()
    {
        var vault = await fx.NewVaultAsync(new { throttling = false });
        var results = await SendManyAsync(vault, 400, i => (HttpMethod.Put, $"secrets/n{i % 7}{Api}", "{\"value\":\"x\"}"));
        Assert.All(results, r => Assert.Equal(200, r.StatusCode));
    }

    [Fact]
    public async Task Sdk_recovers_from_429_answered_by_a_fault_rule()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Secrets(vault);
        await client.SetSecretAsync("retry-me", "value");
        await fx.Server.SetFaultsAsync(vault.Name, new { rules = new[] { new { method = "GET", pathRegex = "/secrets/retry-me", status = 429, count = 2 } } });
        await fx.Server.ResetStatsAsync(vault.Name);

        Assert.Equal("value", (await client.GetSecretAsync("retry-me")).Value.Value);
        var stats = await fx.Server.GetStatsAsync(vault.Name);
        Assert.Equal(2, stats["byStatus"]!["429"]!.GetValue<int>());
        Assert.Equal(1, stats["byStatus"]!["200"]!.GetValue<int>());

        // With retries off the SDK surfaces the 429 itself.
        await fx.Server.SetFaultsAsync(vault.Name, new { rules = new[] { new { method = "GET", pathRegex = "/secrets/retry-me", status = 429, count = 1 } } });
        var noRetry = fx.Secrets(vault, configure: o => o.Retry.MaxRetries = 0);
        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => noRetry.GetSecretAsync("retry-me"));
        Assert.Equal(429, ex.Status);
        Assert.Equal("Throttled", ex.ErrorCode);
    }

    [Fact]
    public async Task Sdk_recovers_from_real_budget_exhaustion()
    {
        var vault = await fx.NewVaultAsync();
        var start = Stopwatch.StartNew();
        await SendManyAsync(vault, 300, i => (HttpMethod.Put, $"secrets/b{i % 3}{Api}", "{\"value\":\"x\"}"));
        var client = fx.Secrets(vault, configure: o =>
        {
            o.Retry.MaxRetries = 10;
            o.Retry.Mode = Azure.Core.RetryMode.Fixed;
            o.Retry.Delay = TimeSpan.FromSeconds(2);
        });
        var set = await client.SetSecretAsync("b0", "after-the-wait");
        Assert.Equal("after-the-wait", set.Value.Value);
        Assert.True(start.Elapsed >= TimeSpan.FromSeconds(8), $"succeeded after {start.Elapsed}: the budget did not hold");
        var stats = await fx.Server.GetStatsAsync(vault.Name);
        Assert.True(stats["throttled"]!.GetValue<int>() >= 1);
    }

    private async Task<List<RawResponse>> SendManyAsync(VaultRef vault, int count, Func<int, (HttpMethod Method, string Path, string? Body)> make, int parallel = 16)
    {
        var results = new RawResponse[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (i, _) =>
        {
            var (method, path, body) = make(i);
            results[i] = await fx.SendAsync(method, vault, path, body);
        });
        return [.. results];
    }
}
