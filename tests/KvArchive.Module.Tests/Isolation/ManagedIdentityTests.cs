using System.Management.Automation;
using KvArchive.Module.Tests.Infrastructure;

namespace KvArchive.Module.Tests.Isolation;

/// <summary>
/// An Azure Automation runbook: IDENTITY_ENDPOINT and IDENTITY_HEADER point at the managed-identity endpoint and
/// the commands pass no credential at all; the default chain finds the identity.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ManagedIdentityTests(ModuleFixture fixture)
{
    [Fact]
    public async Task Commands_without_a_credential_use_the_managed_identity_from_the_environment()
    {
        var vault = await fixture.NewVaultAsync();
        using var session = fixture.NewSession();
        session.Set("Vault", vault).Set("Value", ModuleFixture.ToSecureString("from-runbook"));
        using (new EnvironmentScope(("IDENTITY_ENDPOINT", fixture.Server.IdentityEndpoint), ("IDENTITY_HEADER", fixture.Server.IdentityHeader)))
        {
            session.Run("Set-KvSecret -VaultUri $Vault -Name runbook -SecretValue $Value").EnsureSuccess();
            Assert.Equal("from-runbook", session.Run("Get-KvSecret -VaultUri $Vault -Name runbook -AsPlainText").EnsureSuccess().Output.Single().BaseObject);
            Assert.Equal("from-runbook", session.Run("Get-KvSecret -VaultUri $Vault -Name runbook -CredentialKind ManagedIdentity -AsPlainText").EnsureSuccess().Output.Single().BaseObject);
        }
    }

    [Fact]
    public async Task A_runbook_backs_up_and_restores_with_no_credential_parameter()
    {
        var source = await fixture.NewVaultAsync();
        var target = await fixture.NewVaultAsync();
        await fixture.Server.SeedAsync(source.Host.Split('.')[0], new { secrets = 20, keys = 5, certificates = 3, versions = 1, prefix = "mi" });
        var directory = Directory.CreateTempSubdirectory("kvarchive-mi-").FullName;
        try
        {
            var archive = Path.Combine(directory, "runbook.kva");
            using var session = fixture.NewSession();
            session.Set("Source", source).Set("Target", target).Set("Archive", archive);
            using (new EnvironmentScope(("IDENTITY_ENDPOINT", fixture.Server.IdentityEndpoint), ("IDENTITY_HEADER", fixture.Server.IdentityHeader)))
            {
                var backup = session.Run("Get-KvObject -VaultUri $Source | Backup-KvObject -Path $Archive").EnsureSuccess();
                Assert.Equal(28, backup.Output.Count(o => o.Properties["Status"].Value.ToString() == "Saved"));

                // The repository's main job (examples/main-job.ps1) does the same end to end.
                var script = Path.Combine(KvArchive.TestSupport.LocalVaultServer.RepoRoot(), "examples", "main-job.ps1");
                session.Set("Script", script).Set("Second", Path.Combine(directory, "main-job.kva"));
                var job = session.Run("& $Script -SourceVaultUri $Source -TargetVaultUri $Target -ArchivePath $Second").EnsureSuccess();
                var summary = job.Output.Last();
                Assert.Equal(28, Convert.ToInt32(summary.Properties["Saved"].Value, System.Globalization.CultureInfo.InvariantCulture));
                Assert.Equal(28, Convert.ToInt32(summary.Properties["Restored"].Value, System.Globalization.CultureInfo.InvariantCulture));
                Assert.Equal(0, Convert.ToInt32(summary.Properties["Failed"].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task With_no_credential_anywhere_the_command_stops_once_saying_what_to_pass()
    {
        var vault = await fixture.NewVaultAsync();
        using var session = fixture.NewSession();
        session.Set("Vault", vault);
        var cleared = new[]
        {
            "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET",
            "AZURE_TENANT_ID", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_USERNAME", "AZURE_PASSWORD",
        };
        using (new EnvironmentScope(cleared.Select(n => (n, (string?)null)).ToArray()))
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var (terminating, run) = session.RunCatching("Get-KvObject -VaultUri $Vault -Name 'a*','b*'");
            Assert.True(terminating is not null, run.Describe());
            Assert.Empty(run.Errors);
            Assert.Equal(ErrorCategory.AuthenticationError, terminating.CategoryInfo.Category);
            // The module words what to pass, from the credential kind the engine reports.
            Assert.Contains("-AccessToken", terminating.ErrorDetails?.RecommendedAction ?? string.Empty, StringComparison.Ordinal);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
        }
    }
}
