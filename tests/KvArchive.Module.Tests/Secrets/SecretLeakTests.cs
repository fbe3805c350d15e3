using KvArchive.Module.Tests.Infrastructure;

namespace KvArchive.Module.Tests.Secrets;

/// <summary>A canary value goes through every secret cmdlet; it must not show up on any stream or in any rendering.</summary>
[Collection(ModuleCollection.Name)]
public sealed class SecretLeakTests(ModuleFixture fixture)
{
    [Fact]
    public async Task The_canary_value_appears_on_no_stream_and_in_no_formatted_output()
    {
        var canary = "CANARY-" + Guid.NewGuid().ToString("N");
        var vault = await fixture.NewVaultAsync();
        using var session = fixture.NewSession(interactive: true);
        session.Set("Vault", vault).Set("Canary", ModuleFixture.ToSecureString(canary));

        // Everything a user might run, with every stream on and every result rendered through the format file.
        var run = session.Run("""
            Set-KvSecret -VaultUri $Vault -AccessToken $Token -Name leak -SecretValue $Canary -ContentType text/plain -PassThru | Out-Default
            Set-KvSecret -VaultUri $Vault -AccessToken $Token -Name leak -SecretValue $Canary -CarryForward -PassThru -Verbose -Debug
            Get-KvSecret -VaultUri $Vault -AccessToken $Token -Name leak | Out-Default
            Get-KvSecret -VaultUri $Vault -AccessToken $Token -Name leak
            Get-KvObject -VaultUri $Vault -AccessToken $Token -IncludeVersions | Out-Default
            Get-KvObject -VaultUri $Vault -AccessToken $Token -Name leak | Get-KvSecret -AccessToken $Token | Out-Default
            Update-KvObject -VaultUri $Vault -AccessToken $Token -Type Secret -Name leak -Enabled $false -PassThru | Out-Default
            Get-KvSecret -VaultUri $Vault -AccessToken $Token -Name leak
            Set-KvSecret -VaultUri $Vault -AccessToken $Token -Name 'bad name!' -SecretValue $Canary
            Set-KvSecret -VaultUri $Vault -AccessToken $Token -Name leak -SecretValue $Canary -WhatIf
            Remove-KvObject -VaultUri $Vault -AccessToken $Token -Type Secret -Name leak -Force -PassThru | Out-Default
            Set-KvSecret -VaultUri $Vault -AccessToken $Token -Name leak -SecretValue $Canary
            """, allStreams: true);

        Assert.True(run.Errors.Count >= 3, "expected errors (disabled read, bad name, soft-deleted name):\n" + run.Describe());
        Assert.NotEmpty(run.Verbose);
        Assert.Contains("leak", run.HostText, StringComparison.Ordinal);
        var text = run.AllText();
        Assert.DoesNotContain(canary, text, StringComparison.Ordinal);
        Assert.DoesNotContain(canary[7..], text, StringComparison.OrdinalIgnoreCase);
    }
}
