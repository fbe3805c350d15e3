using KvArchive.LocalVault.Tests.Infrastructure;

namespace KvArchive.LocalVault.Tests.Persistence;

/// <summary>The settable clock (process-wide, so this class has its own LocalVault).</summary>
public sealed class ClockTests : IAsyncLifetime
{
    private const string Api = "?api-version=2026-04-01";
    private LocalVaultFixture _fx = null!;

    public async Task InitializeAsync() => _fx = await LocalVaultFixture.StartAsync();

    public Task DisposeAsync() => _fx.DisposeAsync();

    [Fact]
    public async Task Moved_clock_sets_dates_and_purges_when_retention_ends()
    {
        var fx = _fx;
        var vault = await fx.NewVaultAsync(new { recoverableDays = 7 });
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        await fx.Server.SetClockAsync(new { offsetSeconds = 30 * 86400 });
        var token = (await fx.Server.CreateTokenAsync("clock")).Token;
        var set = await fx.SendAsync(HttpMethod.Put, vault, "secrets/c" + Api, "{\"value\":\"v\"}", token: token);
        Assert.True(set.StatusCode == 200, set.ToString());
        var created = KvAssert.UnixSeconds(set.Json["attributes"]!["created"], "created");
        Assert.InRange(created, now + (30 * 86400) - 60, now + (30 * 86400) + 60);

        var deleted = await fx.SendAsync(HttpMethod.Delete, vault, "secrets/c" + Api, token: token);
        var deletedDate = KvAssert.UnixSeconds(deleted.Json["deletedDate"], "deletedDate");
        Assert.InRange(deletedDate, created, created + 60);
        Assert.Equal(deletedDate + (7 * 86400), KvAssert.UnixSeconds(deleted.Json["scheduledPurgeDate"], "scheduledPurgeDate"));

        await fx.Server.SetClockAsync(new { now = deletedDate + (6 * 86400) });
        token = (await fx.Server.CreateTokenAsync("clock")).Token;
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Get, vault, "deletedsecrets/c" + Api, token: token)).StatusCode);

        await fx.Server.SetClockAsync(new { now = deletedDate + (8 * 86400) });
        token = (await fx.Server.CreateTokenAsync("clock")).Token;
        KvAssert.Error(await fx.SendAsync(HttpMethod.Get, vault, "deletedsecrets/c" + Api, token: token), 404, "SecretNotFound");
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Put, vault, "secrets/c" + Api, "{\"value\":\"again\"}", token: token)).StatusCode);

        await fx.Server.SetClockAsync(new { offsetSeconds = 0 });
        token = (await fx.Server.CreateTokenAsync("clock")).Token;
        var back = await fx.SendAsync(HttpMethod.Put, vault, "secrets/d" + Api, "{\"value\":\"v\"}", token: token);
        Assert.InRange(KvAssert.UnixSeconds(back.Json["attributes"]!["created"], "created"), now - 60, now + 600);
    }
}
