using System.Management.Automation;
using KvArchive.Module.Tests.Infrastructure;

namespace KvArchive.Module.Tests.Keys;

/// <summary>The key flow: create, remove and wait, purge, waiting out the vault's delete delay.</summary>
[Collection(ModuleCollection.Name)]
public sealed class KeyTests(ModuleFixture fixture)
{
    [Fact]
    public async Task Create_remove_and_purge_a_key_in_a_vault_that_deletes_slowly()
    {
        var vault = await fixture.NewVaultAsync(new { deleteDelayMs = 1500 });
        using var session = fixture.NewSession();
        session.Set("Vault", vault);

        var rsa = session.Run("New-KvKey -VaultUri $Vault -AccessToken $Token -Name signing -Size 3072 -Tag @{ owner = 'pki' }").EnsureSuccess().Output.Single();
        Assert.Equal("Key", rsa.Properties["Type"].Value.ToString());
        Assert.StartsWith("RSA", (string)rsa.Properties["KeyType"].Value, StringComparison.Ordinal);
        Assert.Equal("pki", ((IReadOnlyDictionary<string, string>)rsa.Properties["Tags"].Value)["owner"]);

        var ec = session.Run("New-KvKey -VaultUri $Vault -AccessToken $Token -Name ecdh -KeyType EC -Curve P-384 -Disabled").EnsureSuccess().Output.Single();
        Assert.StartsWith("EC", (string)ec.Properties["KeyType"].Value, StringComparison.Ordinal);
        Assert.Equal("P-384", ec.Properties["CurveName"].Value);
        Assert.False((bool)ec.Properties["Enabled"].Value);

        // Removal returns only once the vault shows the key removed, despite the 1.5 s delay.
        var removed = session.Run("Remove-KvObject -VaultUri $Vault -AccessToken $Token -Type Key -Name signing -Force -PassThru").EnsureSuccess().Output.Single();
        Assert.True((bool)removed.Properties["Deleted"].Value);
        Assert.Equal("signing", Assert.Single(session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Type Key -InRemovedState").EnsureSuccess().Output).Properties["Name"].Value);

        session.Run("Remove-KvObject -VaultUri $Vault -AccessToken $Token -Type Key -Name signing -InRemovedState -Purge -Force").EnsureSuccess();
        Assert.Empty(session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Type Key -InRemovedState").EnsureSuccess().Output);

        // A live key purged in one go: removed, the delete waited out, then purged; the name can be used again at
        // once (the vault keeps it busy for writes a moment longer, which New-KvKey waits out).
        session.Run("Remove-KvObject -VaultUri $Vault -AccessToken $Token -Type Key -Name ecdh -Purge -Force").EnsureSuccess();
        Assert.Empty(session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Type Key").EnsureSuccess().Output);
        Assert.Empty(session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Type Key -InRemovedState").EnsureSuccess().Output);
        Assert.Single(session.Run("New-KvKey -VaultUri $Vault -AccessToken $Token -Name ecdh -KeyType EC").EnsureSuccess().Output);
    }

    [Fact]
    public async Task New_key_versions_accumulate_and_bad_combinations_are_refused()
    {
        var vault = await fixture.NewVaultAsync();
        using var session = fixture.NewSession();
        session.Set("Vault", vault);
        session.Run("New-KvKey -VaultUri $Vault -AccessToken $Token -Name rotated; New-KvKey -VaultUri $Vault -AccessToken $Token -Name rotated").EnsureSuccess();
        Assert.Equal(2, session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Type Key -Name rotated -IncludeVersions").EnsureSuccess().Output.Count);

        var (bad, _) = session.RunCatching("New-KvKey -VaultUri $Vault -AccessToken $Token -Name wrong -KeyType RSA -Curve P-256");
        Assert.NotNull(bad);
        Assert.Equal(ErrorCategory.InvalidArgument, bad.CategoryInfo.Category);
        Assert.Contains("-Curve", bad.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(session.Run("Get-KvObject -VaultUri $Vault -AccessToken $Token -Type Key -Name wrong*").EnsureSuccess().Output);
    }
}
