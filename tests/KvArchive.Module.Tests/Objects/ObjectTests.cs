using System.Management.Automation;
using KvArchive.Module.Tests.Infrastructure;

namespace KvArchive.Module.Tests.Objects;

/// <summary>Get-KvObject, Update-KvObject, Remove-KvObject and Undo-KvObjectRemoval through real pipelines.</summary>
[Collection(ModuleCollection.Name)]
public sealed class ObjectTests(ModuleFixture fixture)
{
    private static PowerShellSession WithSecrets(PowerShellSession session, Uri vault, params string[] names)
    {
        session.Set("Vault", vault).Set("Value", ModuleFixture.ToSecureString("not-a-canary"));
        foreach (var name in names)
        {
            session.Set("N", name).Run("Set-KvSecret -VaultUri $Vault -AccessToken $Token -Name $N -SecretValue $Value").EnsureSuccess();
        }

        return session;
    }

    private static List<string> Names(PsRun run) => run.Output.Select(o => (string)o.Properties["Name"].Value).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task Wildcards_select_by_name_and_overlapping_patterns_write_each_object_once()
    {
        var vault = await fixture.NewVaultAsync();
        using var session = WithSecrets(fixture.NewSession(), vault, "app-db", "app-api", "web-db", "other");

        Assert.Equal(["app-api", "app-db"], Names(session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Name 'app-*'").EnsureSuccess()));
        Assert.Equal(["app-db", "web-db"], Names(session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Name '*-db'").EnsureSuccess()));
        Assert.Equal(["app-api", "app-db", "web-db"], Names(session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Name 'app-*','*-db'").EnsureSuccess()));
        Assert.Equal(["app-db", "web-db"], Names(session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Name '???-db'").EnsureSuccess()));
        Assert.Empty(session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Name 'zzz*'").EnsureSuccess().Output);
        Assert.Equal(4, session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token").EnsureSuccess().Output.Count);
    }

    [Fact]
    public async Task Listing_streams_many_pages()
    {
        var vault = await fixture.NewVaultAsync();
        await fixture.Server.SeedAsync(vault.Host.Split('.')[0], new { secrets = 60, keys = 30, certificates = 0, versions = 1, prefix = "bulk" });
        using var session = fixture.NewSession();
        session.Set("Vault", vault);
        var run = session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token").EnsureSuccess();
        Assert.Equal(90, run.Output.Count);
        Assert.Equal(60, session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Type Secret").EnsureSuccess().Output.Count);
        Assert.Equal(30, session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Type Key -Name 'bulk*'").EnsureSuccess().Output.Count);
    }

    [Fact]
    public async Task A_missing_plain_name_is_ObjectNotFound_naming_it()
    {
        var vault = await fixture.NewVaultAsync();
        using var session = fixture.NewSession();
        session.Set("Vault", vault);
        var run = session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Name no-such-thing; 'after'");
        var error = Assert.Single(run.Errors);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.StartsWith("KvObjectNotFound", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal("no-such-thing", error.TargetObject);
        Assert.Contains("no-such-thing", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal("after", Assert.Single(run.Output).BaseObject);
    }

    [Fact]
    public async Task Update_changes_properties_in_place_without_a_new_version()
    {
        var vault = await fixture.NewVaultAsync();
        using var session = WithSecrets(fixture.NewSession(), vault, "cfg");
        session.Set("Expires", new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var before = session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Name cfg").EnsureSuccess().Output.Single();

        var updated = session.Run("Update-KvObject -VaultUri $Vault -AccessToken $Token -Type Secret -Name cfg -ContentType text/plain -Tag @{ tier = 'gold' } -ExpiresOn $Expires -PassThru").EnsureSuccess().Output.Single();
        Assert.Equal(before.Properties["Version"].Value, updated.Properties["Version"].Value);
        Assert.Equal("text/plain", updated.Properties["ContentType"].Value);
        Assert.Equal("gold", ((IReadOnlyDictionary<string, string>)updated.Properties["Tags"].Value)["tier"]);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), updated.Properties["ExpiresOn"].Value);

        session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Name cfg | Update-KvObject -AccessToken $Token -Enabled $false").EnsureSuccess();
        var versions = session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Name cfg -IncludeVersions").EnsureSuccess();
        var only = Assert.Single(versions.Output);
        Assert.False((bool)only.Properties["Enabled"].Value);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), only.Properties["ExpiresOn"].Value);
        Assert.Equal("text/plain", only.Properties["ContentType"].Value);

        session.Set("Id", updated.Properties["Id"].Value);
        session.Run("Update-KvObject -Id $Id -AccessToken $Token -Enabled $true").EnsureSuccess();
        Assert.True((bool)session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Name cfg").EnsureSuccess().Output.Single().Properties["Enabled"].Value);
    }

    [Fact]
    public async Task Piped_removal_and_recovery_round_trip_with_versions_kept()
    {
        var vault = await fixture.NewVaultAsync();
        using var session = WithSecrets(fixture.NewSession(), vault, "tmp-a", "tmp-b", "tmp-b", "keep");

        var removed = session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Name 'tmp-*' | Remove-KvObject -AccessToken $Token -Force -PassThru").EnsureSuccess();
        Assert.Equal(["tmp-a", "tmp-b"], Names(removed));
        Assert.All(removed.Output, o => Assert.True((bool)o.Properties["Deleted"].Value));
        Assert.Equal(["keep"], Names(session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token").EnsureSuccess()));
        Assert.Equal(["tmp-a", "tmp-b"], Names(session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -InRemovedState").EnsureSuccess()));

        var recovered = session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -InRemovedState | Undo-KvObjectRemoval -AccessToken $Token").EnsureSuccess();
        Assert.Equal(["tmp-a", "tmp-b"], Names(recovered));
        Assert.Equal(["keep", "tmp-a", "tmp-b"], Names(session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token").EnsureSuccess()));
        Assert.Equal(2, session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Name tmp-b -IncludeVersions").EnsureSuccess().Output.Count);
        Assert.Empty(session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -InRemovedState").EnsureSuccess().Output);
    }

    [Fact]
    public async Task Piping_every_version_removes_the_object_once()
    {
        var vault = await fixture.NewVaultAsync();
        using var session = WithSecrets(fixture.NewSession(), vault, "multi", "multi", "multi");
        var run = session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Name multi -IncludeVersions | Remove-KvObject -AccessToken $Token -Force -PassThru").EnsureSuccess();
        Assert.Single(run.Output);
    }

    [Fact]
    public async Task Removal_in_a_host_that_cannot_prompt_fails_naming_Force_and_changes_nothing()
    {
        var vault = await fixture.NewVaultAsync();
        using var session = WithSecrets(fixture.NewSession(interactive: false), vault, "precious");
        var run = session.Run("Remove-KvObject -VaultUri $Vault -AccessToken $Token -Type Secret -Name precious");
        var error = Assert.Single(run.Errors);
        Assert.StartsWith("KvConfirmationRequired", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("-Force", error.Exception.Message, StringComparison.Ordinal);
        Assert.Single(session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Name precious").EnsureSuccess().Output);

        session.Run("Remove-KvObject -VaultUri $Vault -AccessToken $Token -Type Secret -Name precious -Confirm:$false").EnsureSuccess();
        Assert.Empty(session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token").EnsureSuccess().Output);
    }

    [Fact]
    public async Task Removal_in_an_interactive_host_asks_and_respects_the_answer()
    {
        var vault = await fixture.NewVaultAsync();
        using var session = WithSecrets(fixture.NewSession(interactive: true), vault, "asked");

        session.Host.ChoiceAnswers.Enqueue(2); // No
        session.Run("Remove-KvObject -VaultUri $Vault -AccessToken $Token -Type Secret -Name asked").EnsureSuccess();
        Assert.Equal(1, session.Host.Prompts);
        Assert.Single(session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Name asked").EnsureSuccess().Output);

        session.Host.ChoiceAnswers.Enqueue(0); // Yes
        session.Run("Remove-KvObject -VaultUri $Vault -AccessToken $Token -Type Secret -Name asked").EnsureSuccess();
        Assert.Equal(1, session.Host.Prompts);
        Assert.Empty(session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token").EnsureSuccess().Output);

        session.Run("Remove-KvObject -VaultUri $Vault -AccessToken $Token -Type Secret -Name asked -InRemovedState -Purge -Force").EnsureSuccess();
        Assert.Equal(0, session.Host.Prompts);
        Assert.Empty(session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -InRemovedState").EnsureSuccess().Output);
    }

    [Fact]
    public async Task WhatIf_changes_nothing()
    {
        var vault = await fixture.NewVaultAsync();
        using var session = WithSecrets(fixture.NewSession(interactive: true), vault, "stay");
        session.Set("Other", ModuleFixture.ToSecureString("other"));
        var before = session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -IncludeVersions").EnsureSuccess().Output.Single();

        var run = session.Run("""
            Set-KvSecret -VaultUri $Vault -AccessToken $Token -Name stay -SecretValue $Other -WhatIf
            Set-KvSecret -VaultUri $Vault -AccessToken $Token -Name new-one -SecretValue $Other -WhatIf
            Update-KvObject -VaultUri $Vault -AccessToken $Token -Type Secret -Name stay -Enabled $false -Tag @{ a = 'b' } -WhatIf
            Remove-KvObject -VaultUri $Vault -AccessToken $Token -Type Secret -Name stay -WhatIf
            Remove-KvObject -VaultUri $Vault -AccessToken $Token -Type Secret -Name stay -Purge -Force -WhatIf
            New-KvKey -VaultUri $Vault -AccessToken $Token -Name new-key -WhatIf
            """).EnsureSuccess();
        Assert.Empty(run.Output);
        Assert.Equal(0, session.Host.Prompts);
        Assert.Equal(6, run.HostText.Split('\n').Count(l => l.StartsWith("What if:", StringComparison.Ordinal)));

        var after = session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -IncludeVersions").EnsureSuccess().Output.Single();
        Assert.Equal(before.Properties["Version"].Value, after.Properties["Version"].Value);
        Assert.Equal(before.Properties["UpdatedOn"].Value, after.Properties["UpdatedOn"].Value);
        Assert.True((bool)after.Properties["Enabled"].Value);
        Assert.Empty((IReadOnlyDictionary<string, string>)after.Properties["Tags"].Value);
        Assert.Empty(session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -InRemovedState").EnsureSuccess().Output);
    }
}
