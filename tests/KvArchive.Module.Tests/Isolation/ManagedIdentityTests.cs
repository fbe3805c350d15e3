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
}
