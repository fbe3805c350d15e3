using System.Management.Automation;
using System.Security;
using KvArchive.Module.Tests.Infrastructure;

namespace KvArchive.Module.Tests.Secrets;

/// <summary>Set-KvSecret, Get-KvSecret and the secret quickstart through real pipelines against LocalVault.</summary>
[Collection(ModuleCollection.Name)]
public sealed class SecretTests(ModuleFixture fixture)
{
    [Fact]
    public async Task Quickstart_create_read_disable_delete()
    {
        var vault = await fixture.NewVaultAsync();
        using var session = fixture.NewSession();
        session.Set("Vault", vault).Set("Value", ModuleFixture.ToSecureString("s3cret-quickstart"));

        var set = session.Run("Set-KvSecret -VaultUri $Vault -AccessToken $Token -Name db-password -SecretValue $Value -PassThru").EnsureSuccess();
        var created = Assert.Single(set.Output).BaseObject;
        Assert.Equal("db-password", (string)((dynamic)created).Name);

        var read = session.Run("Get-KvSecret -VaultUri $Vault -AccessToken $Token -Name db-password -AsPlainText").EnsureSuccess();
        Assert.Equal("s3cret-quickstart", Assert.Single(read.Output).BaseObject);

        var secure = session.Run("Get-KvSecret -VaultUri $Vault -AccessToken $Token -Name db-password").EnsureSuccess();
        var value = Assert.Single(secure.Output);
        Assert.Equal("KvArchive.Engine.Vault.KvSecretValue", value.BaseObject.GetType().FullName);
        Assert.IsType<SecureString>(value.Properties["Value"].Value);

        session.Run("Update-KvObject -VaultUri $Vault -AccessToken $Token -Type Secret -Name db-password -Enabled $false").EnsureSuccess();
        var disabled = session.Run("Get-KvSecret -VaultUri $Vault -AccessToken $Token -Name db-password -AsPlainText");
        var error = Assert.Single(disabled.Errors);
        Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
        Assert.StartsWith("KvSecretDisabled,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal("db-password", error.TargetObject);

        session.Run("Remove-KvObject -VaultUri $Vault -AccessToken $Token -Type Secret -Name db-password -Force").EnsureSuccess();
        var live = session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Name db-password");
        Assert.Equal(ErrorCategory.ObjectNotFound, Assert.Single(live.Errors).CategoryInfo.Category);
        var removed = session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -InRemovedState -Name db-password").EnsureSuccess();
        var deleted = Assert.Single(removed.Output);
        Assert.True((bool)deleted.Properties["Deleted"].Value);
        Assert.NotNull(deleted.Properties["ScheduledPurgeDate"].Value);
    }

    [Fact]
    public async Task Secret_with_every_property_round_trips()
    {
        var vault = await fixture.NewVaultAsync();
        using var session = fixture.NewSession();
        session.Set("Vault", vault).Set("Value", ModuleFixture.ToSecureString("{\"user\":\"app\"}"))
            .Set("Expires", new DateTime(2031, 5, 6, 7, 8, 9, DateTimeKind.Utc))
            .Set("NotBefore", new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        session.Run("""
            Set-KvSecret -VaultUri $Vault -AccessToken $Token -Name app-config -SecretValue $Value `
                -ContentType 'application/json' -Tag @{ owner = 'team-a'; env = 'prod' } -Disabled `
                -ExpiresOn $Expires -NotBefore $NotBefore
            """).EnsureSuccess();

        var run = session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Type Secret -Name app-config").EnsureSuccess();
        var o = Assert.Single(run.Output);
        Assert.Equal("application/json", o.Properties["ContentType"].Value);
        Assert.False((bool)o.Properties["Enabled"].Value);
        Assert.Equal(new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero), o.Properties["ExpiresOn"].Value);
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero), o.Properties["NotBefore"].Value);
        var tags = (IReadOnlyDictionary<string, string>)o.Properties["Tags"].Value;
        Assert.Equal("team-a", tags["owner"]);
        Assert.Equal("prod", tags["env"]);
        Assert.False((bool)o.Properties["Managed"].Value);
    }

    [Fact]
    public async Task CarryForward_restates_the_current_properties_on_a_new_version()
    {
        var vault = await fixture.NewVaultAsync();
        using var session = fixture.NewSession();
        session.Set("Vault", vault).Set("V1", ModuleFixture.ToSecureString("one")).Set("V2", ModuleFixture.ToSecureString("two"))
            .Set("V3", ModuleFixture.ToSecureString("three"));
        session.Run("Set-KvSecret -VaultUri $Vault -AccessToken $Token -Name rotating -SecretValue $V1 -ContentType text/plain -Tag @{ owner = 'ops' }").EnsureSuccess();

        var carried = session.Run("Set-KvSecret -VaultUri $Vault -AccessToken $Token -Name rotating -SecretValue $V2 -CarryForward -PassThru").EnsureSuccess();
        var v2 = Assert.Single(carried.Output);
        Assert.Equal("text/plain", v2.Properties["ContentType"].Value);
        Assert.Equal("ops", ((IReadOnlyDictionary<string, string>)v2.Properties["Tags"].Value)["owner"]);

        var plain = session.Run("Set-KvSecret -VaultUri $Vault -AccessToken $Token -Name rotating -SecretValue $V3 -PassThru").EnsureSuccess();
        var v3 = Assert.Single(plain.Output);
        Assert.Null(v3.Properties["ContentType"].Value);
        Assert.Empty((IReadOnlyDictionary<string, string>)v3.Properties["Tags"].Value);

        var versions = session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Type Secret -Name rotating -IncludeVersions").EnsureSuccess();
        Assert.Equal(3, versions.Output.Count);
        Assert.Equal("three", session.Run("Get-KvSecret -VaultUri $Vault -AccessToken $Token -Name rotating -AsPlainText").EnsureSuccess().Output.Single().BaseObject);
    }

    [Fact]
    public async Task Get_by_version_by_piped_object_and_by_id()
    {
        var vault = await fixture.NewVaultAsync();
        using var session = fixture.NewSession();
        session.Set("Vault", vault).Set("V1", ModuleFixture.ToSecureString("first")).Set("V2", ModuleFixture.ToSecureString("second"));
        var first = session.Run("Set-KvSecret -VaultUri $Vault -AccessToken $Token -Name multi -SecretValue $V1 -PassThru").EnsureSuccess().Output.Single();
        session.Run("Set-KvSecret -VaultUri $Vault -AccessToken $Token -Name multi -SecretValue $V2").EnsureSuccess();
        session.Set("First", first.BaseObject);

        Assert.Equal("first", session.Run("Get-KvSecret -VaultUri $Vault -AccessToken $Token -Name multi -Version $First.Version -AsPlainText").EnsureSuccess().Output.Single().BaseObject);
        Assert.Equal("first", session.Run("$First | Get-KvSecret -AccessToken $Token -AsPlainText").EnsureSuccess().Output.Single().BaseObject);
        Assert.Equal("first", session.Run("Get-KvSecret -Id $First.Id -AccessToken $Token -AsPlainText").EnsureSuccess().Output.Single().BaseObject);
        Assert.Equal("second", session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Type Secret -Name multi | Get-KvSecret -AccessToken $Token -AsPlainText").EnsureSuccess().Output.Single().BaseObject);
    }
}
