using KvArchive.Engine.Tests.Archive;
using KvArchive.Engine.Tests.Hosting;
using KvArchive.Engine.Tests.Vault.Infrastructure;
using KvArchive.Engine.Transfer;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Transfer.Rate;

/// <summary>The rate control in a real backup against LocalVault over HTTPS, with its budgets and fault rules.</summary>
public sealed class RateControlLocalVaultTests(VaultFixture fixture) : IClassFixture<VaultFixture>, IDisposable
{
    private readonly string _folder = ArchiveTestData.NewFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_1000_secret_backup_with_one_429_early_runs_on_at_the_cap()
    {
        var source = await fixture.NewVaultAsync(prefix: "one429");
        await fixture.Server.SeedAsync(source, new { secrets = 1000, versions = 1, prefix = "r" });

        // The first backup call is refused: the window looks full when the run has only just begun (what another
        // caller's traffic, or an earlier run's, does to it).
        await fixture.Server.SetFaultsAsync(source, new { rules = new object[] { new { method = "POST", pathRegex = "/backup$", status = 429, count = 1 } } });
        var factory = await LocalVaultTransfer.FactoryAsync(fixture);
        using var host = new RecordingHost();
        var limiter = new AdaptiveRateLimiter();
        var summary = await LocalVaultTransfer.OnOwnThread(() =>
        {
            using var session = BackupSession.Start(host, new BackupOptions { Path = Path.Combine(_folder, "a.kva"), ThrottleLimit = 16, VaultUri = fixture.Server.VaultUri(source), RateLimiter = limiter }, factory);
            session.AddVault(types: [KvObjectType.Secret]);
            return session.Complete();
        });

        Assert.Empty(host.Errors.Select(e => e.Exception.Message));
        Assert.Equal((1000, 0), (summary.Saved, summary.Failed));

        // One 429, counted once, and no storm of retries after it.
        var stats = await fixture.Server.GetStatsAsync(source);
        Assert.Equal(1, (int)stats["byStatus"]!["429"]!);
        Assert.Equal((1, 1), (limiter.ThrottledCount, limiter.DecreaseCount));

        // The allowance is back at the default share's cap, 0.5 of 400/s less 1 % (a run pinned near what it held at the 429 — a few dozen
        // requests per 10 s — would still show a limit here; a 1,000-secret run at the cap lasts several seconds, the
        // climb back about two).
        Assert.Null(limiter.CurrentRate);
        Assert.InRange(limiter.RateCap, 190, 200);
    }

    [Fact]
    public async Task A_Retry_After_reaches_the_rate_control()
    {
        var vault = await fixture.NewVaultAsync(prefix: "retryafter");
        await fixture.Server.SetFaultsAsync(vault, new { rules = new object[] { new { method = "GET", pathRegex = "/secrets$", status = 429, count = 1, retryAfterSeconds = 1 } } });
        var observer = new RetryAfterObserver();
        var client = await fixture.ConnectAsync(vault, observer);
        await foreach (var _ in client.ListAsync(KvObjectType.Secret, default))
        {
        }

        Assert.Equal(new[] { TimeSpan.FromSeconds(1) }, observer.RetryAfters);
        Assert.Contains(429, observer.Statuses);
    }

    private sealed class RetryAfterObserver : IRequestObserver
    {
        public List<TimeSpan> RetryAfters { get; } = [];

        public List<int> Statuses { get; } = [];

        public void OnResponse(int status, TimeSpan elapsed)
        {
            lock (Statuses)
            {
                Statuses.Add(status);
            }
        }

        public void OnRetryAfter(TimeSpan delay)
        {
            lock (RetryAfters)
            {
                RetryAfters.Add(delay);
            }
        }
    }
}
