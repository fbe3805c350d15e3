#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.7' }
# A runbook's backup kept in Azure Blob Storage (Azurite here): backed up to a container URL, checked, listed and
# restored from it; an existing blob is refused without -Force.

BeforeAll {
    Set-StrictMode -Version Latest
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'KvArchive.TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Server = Start-TestLocalVault
    $script:Azurite = Start-TestAzurite
    $script:Token = New-TestToken -Server $script:Server
}

AfterAll {
    if ($script:Azurite) { Stop-TestAzurite -Azurite $script:Azurite }
    if ($script:Server) { Stop-TestLocalVault -Server $script:Server }
    Remove-Module KvArchive -ErrorAction SilentlyContinue
}

Describe 'Archives in a blob container' -Tag 'Blob', 'LocalVault' {
    BeforeAll {
        $script:Source = New-TestVault -Server $script:Server
        $null = Invoke-TestSeed -Server $script:Server -VaultUri $script:Source -Seed @{ secrets = 25; keys = 5; versions = 2; prefix = 'runbook' }
        $script:Container = New-TestAzuriteContainer -Azurite $script:Azurite
        $script:Url = "$script:Container/prod-2026-12-02.kva"
        $script:Records = Backup-KvObject -VaultUri $script:Source -AccessToken $script:Token -Path $script:Url 6>$null
    }

    It 'backs up to the blob URL' {
        @($script:Records | Where-Object Status -eq 'Saved').Count | Should -Be 30
    }

    It 'checks and lists the blob archive' {
        $check = Test-KvArchive -Path $script:Url
        $check.IsValid | Should -BeTrue
        $check.VerifiedCount | Should -Be 30
        $items = @(Get-KvArchiveItem -Path $script:Url)
        $items.Count | Should -Be 30
        $items[0].Path | Should -Be $script:Url
    }

    It 'restores from the blob into another vault' {
        $target = New-TestVault -Server $script:Server
        $restored = @(Restore-KvObject -Path $script:Url -VaultUri $target -AccessToken $script:Token 6>$null)
        @($restored | Where-Object Status -eq 'Restored').Count | Should -Be 30
        @(Get-KvObject -VaultUri $target -AccessToken $script:Token -Type Secret).Count | Should -Be 25
    }

    It 'refuses to replace the blob without -Force, and replaces it with -Force' {
        { Backup-KvObject -VaultUri $script:Source -AccessToken $script:Token -Path $script:Url 6>$null } |
            Should -Throw -ErrorId 'KvArchiveExists*'
        $again = Backup-KvObject -VaultUri $script:Source -AccessToken $script:Token -Path $script:Url -Force 6>$null
        @($again | Where-Object Status -eq 'Saved').Count | Should -Be 30
        (Test-KvArchive -Path $script:Url).IsValid | Should -BeTrue
    }
}
