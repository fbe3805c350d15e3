using System.Management.Automation;
using KvArchive.Module.Tests.Infrastructure;

namespace KvArchive.Module.Tests.Errors;

/// <summary>Each service failure reaches PowerShell with its category, the engine's stable id and the failed item as target.</summary>
[Collection(ModuleCollection.Name)]
public sealed class ErrorCategoryTests(ModuleFixture fixture)
{
    private static ErrorRecord SingleError(PsRun run)
    {
        Assert.True(run.Exception is null, run.Describe());
        return Assert.Single(run.Errors);
    }

    [Fact]
    public async Task NotFound_404()
    {
        using var session = fixture.NewSession();
        session.Set("Vault", await fixture.NewVaultAsync());
        var error = SingleError(session.Run("Get-KvSecret -VaultUri $Vault -AccessToken $Token -Name ghost"));
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.StartsWith("KvObjectNotFound,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal("ghost", error.TargetObject);
    }

    [Fact]
    public async Task PermissionDenied_403_with_a_limited_token()
    {
        var vault = await fixture.NewVaultAsync();
        using var session = fixture.NewSession();
        session.Set("Vault", vault).Set("Value", ModuleFixture.ToSecureString("v"));
        session.Run("Set-KvSecret -VaultUri $Vault -AccessToken $Token -Name guarded -SecretValue $Value").EnsureSuccess();
        session.Set("Limited", await fixture.LimitedTokenAsync("secrets/list"));

        Assert.Single(session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Limited -Type Secret -Name 'g*'").EnsureSuccess().Output);
        var run = session.Run("Get-KvSecret -VaultUri $Vault -AccessToken $Limited -Name guarded; Set-KvSecret -VaultUri $Vault -AccessToken $Limited -Name guarded -SecretValue $Value; 'went on'");
        Assert.Equal(2, run.Errors.Count);
        Assert.All(run.Errors, e =>
        {
            Assert.Equal(ErrorCategory.PermissionDenied, e.CategoryInfo.Category);
            Assert.StartsWith("KvPermissionDenied,", e.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal("guarded", e.TargetObject);
        });
        Assert.Equal("went on", Assert.Single(run.Output).BaseObject);
    }

    [Fact]
    public async Task Conflict_409_soft_deleted_name_spells_out_the_reason_and_the_way_out()
    {
        var vault = await fixture.NewVaultAsync();
        using var session = fixture.NewSession();
        session.Set("Vault", vault).Set("Value", ModuleFixture.ToSecureString("v"));
        session.Run("Set-KvSecret -VaultUri $Vault -AccessToken $Token -Name reused -SecretValue $Value").EnsureSuccess();
        session.Run("Remove-KvObject -VaultUri $Vault -AccessToken $Token -Type Secret -Name reused -Force").EnsureSuccess();

        var error = SingleError(session.Run("Set-KvSecret -VaultUri $Vault -AccessToken $Token -Name reused -SecretValue $Value"));
        Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);
        Assert.StartsWith("KvObjectSoftDeleted,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal("reused", error.TargetObject);
        Assert.Contains("reused", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("deleted", error.Exception.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Undo-KvObjectRemoval", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
        Assert.Contains("-Purge", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttled_429_after_every_retry_is_LimitsExceeded()
    {
        var vault = await fixture.NewVaultAsync();
        var name = vault.Host.Split('.')[0];
        using var session = fixture.NewSession();
        session.Set("Vault", vault).Set("Value", ModuleFixture.ToSecureString("v"));
        session.Run("Set-KvSecret -VaultUri $Vault -AccessToken $Token -Name hot -SecretValue $Value").EnsureSuccess();
        await fixture.Server.ResetStatsAsync(name);
        await fixture.Server.SetFaultsAsync(name, new { rules = new[] { new { method = "GET", pathRegex = "/secrets/hot", status = 429, count = 1000 } } });
        using var fastRetries = new EnvironmentScope(("KVARCHIVE_MAX_RETRIES", "3"), ("KVARCHIVE_RETRY_DELAY_MS", "20"));
        try
        {
            var error = SingleError(session.Run("Get-KvSecret -VaultUri $Vault -AccessToken $Token -Name hot"));
            Assert.Equal(ErrorCategory.LimitsExceeded, error.CategoryInfo.Category);
            Assert.StartsWith("KvThrottled,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal("hot", error.TargetObject);
            var stats = await fixture.Server.GetStatsAsync(name);
            Assert.Equal(4, stats["byStatus"]!["429"]!.GetValue<int>());
        }
        finally
        {
            await fixture.Server.ClearFaultsAsync(name);
        }
    }

    [Fact]
    public async Task A_bad_token_stops_the_command_once_with_AuthenticationError()
    {
        using var session = fixture.NewSession();
        session.Set("Vault", await fixture.NewVaultAsync()).Set("Bad", ModuleFixture.ToSecureString("not-a-token"));
        var (terminating, run) = session.RunCatching("Get-KvObject -VaultUri $Vault -AccessToken $Bad -Name 'a*','b*'");
        Assert.Empty(run.Errors);
        Assert.NotNull(terminating);
        Assert.Equal(ErrorCategory.AuthenticationError, terminating.CategoryInfo.Category);
        Assert.StartsWith("KvUnauthenticated", terminating.FullyQualifiedErrorId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_token_stops_a_backup_once_and_leaves_no_archive()
    {
        var vault = await fixture.NewVaultAsync();
        await fixture.Server.SeedAsync(vault.Host.Split('.')[0], new { secrets = 5, keys = 0, certificates = 0, versions = 1, prefix = "t" });
        var directory = Directory.CreateTempSubdirectory("kvarchive-badtoken-").FullName;
        try
        {
            using var session = fixture.NewSession();
            session.Set("Vault", vault).Set("Bad", ModuleFixture.ToSecureString("not-a-token")).Set("Archive", Path.Combine(directory, "x.kva"));
            var (terminating, run) = session.RunCatching("Backup-KvObject -VaultUri $Vault -AccessToken $Bad -Path $Archive");
            Assert.True(terminating is not null, run.Describe());
            Assert.Equal(ErrorCategory.AuthenticationError, terminating.CategoryInfo.Category);
            Assert.True(run.Errors.Count <= 1, run.Describe());
            Assert.Empty(Directory.GetFiles(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void An_invalid_vault_name_stops_the_command_with_InvalidArgument()
    {
        using var session = fixture.NewSession();
        var (terminating, run) = session.RunCatching("Get-KvObject -VaultName 'no_such vault!' -AccessToken $Token");
        Assert.Empty(run.Errors);
        Assert.NotNull(terminating);
        Assert.Equal(ErrorCategory.InvalidArgument, terminating.CategoryInfo.Category);
        Assert.StartsWith("KvInvalidVault", terminating.FullyQualifiedErrorId, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreachable_vault_stops_the_command_with_ConnectionError()
    {
        using var session = fixture.NewSession();
        // A loopback port nobody listens on: the connection is refused at once.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        session.Set("Vault", new Uri($"https://gone.vault.localhost:{port}/"));
        using var fastRetries = new EnvironmentScope(("KVARCHIVE_MAX_RETRIES", "2"), ("KVARCHIVE_RETRY_DELAY_MS", "20"));
        var (terminating, run) = session.RunCatching("Get-KvObject -VaultUri $Vault -AccessToken $Token -Name 'a*','b*'");
        Assert.Empty(run.Errors);
        Assert.NotNull(terminating);
        Assert.Equal(ErrorCategory.ConnectionError, terminating.CategoryInfo.Category);
    }

    [Fact]
    public async Task An_unknown_vault_on_a_live_server_stops_the_command()
    {
        using var session = fixture.NewSession();
        var existing = await fixture.NewVaultAsync();
        session.Set("Vault", new Uri($"https://nosuchvault.vault.localhost:{existing.Port}/"));
        var (terminating, run) = session.RunCatching("Get-KvObject -VaultUri $Vault -AccessToken $Token -Name 'a*','b*'");
        Assert.Empty(run.Errors);
        Assert.NotNull(terminating);
        Assert.Contains("nosuchvault", terminating.Exception.Message, StringComparison.OrdinalIgnoreCase);
    }
}
