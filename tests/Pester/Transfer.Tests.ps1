#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.7' }
# Backup, verification, inspection and restore through the module, including an Azure Automation-style run.

BeforeAll {
    # As PSRule's suites do: strict mode, and the preference each test relies on, set here rather than inherited
    # from the caller (build.ps1 runs with 'Stop').
    Set-StrictMode -Version Latest
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'KvArchive.TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Server = Start-TestLocalVault
    $script:Token = New-TestToken -Server $script:Server
    $script:Value = ConvertTo-SecureString 'v1' -AsPlainText -Force
}

AfterAll {
    if ($script:Server) { Stop-TestLocalVault -Server $script:Server }
    Remove-Module KvArchive -ErrorAction SilentlyContinue
}

Describe 'Backup and restore' -Tag 'Transfer', 'LocalVault' {
    It 'round-trips 200 objects with every version into another vault' {
        $source = New-TestVault -Server $script:Server
        $target = New-TestVault -Server $script:Server
        $null = Invoke-TestSeed -Server $script:Server -VaultUri $source -Seed @{ secrets = 120; keys = 50; certificates = 30; versions = 2; prefix = 'rt' }
        $archive = Join-Path $TestDrive 'round-trip.kva'

        $saved = Get-KvObject -VaultUri $source -AccessToken $script:Token | Backup-KvObject -Path $archive -AccessToken $script:Token
        @($saved | Where-Object Status -eq 'Saved').Count | Should -Be 200
        @($saved | Where-Object Status -eq 'Skipped').Count | Should -Be 60
        $archive | Should -Exist

        $check = Test-KvArchive -Path $archive
        $check.IsValid | Should -BeTrue
        $check.VerifiedCount | Should -Be 200

        $restored = Get-KvArchiveItem -Path $archive | Restore-KvObject -VaultUri $target -AccessToken $script:Token
        @($restored | Where-Object Status -eq 'Restored').Count | Should -Be 200

        $before = Get-KvObject -VaultUri $source -AccessToken $script:Token -IncludeVersions | ForEach-Object { "$($_.Type)/$($_.Name)/$($_.Version)" } | Sort-Object
        $after = Get-KvObject -VaultUri $target -AccessToken $script:Token -IncludeVersions | ForEach-Object { "$($_.Type)/$($_.Name)/$($_.Version)" } | Sort-Object
        $after | Should -Be $before
    }

    It 'shows the plan with -WhatIf and follows the conflict policies' {
        $source = New-TestVault -Server $script:Server
        $target = New-TestVault -Server $script:Server
        $archive = Join-Path $TestDrive 'conflicts.kva'
        'free', 'live', 'gone' | ForEach-Object { Set-KvSecret -VaultUri $source -AccessToken $script:Token -Name $_ -SecretValue $script:Value }
        Backup-KvObject -VaultUri $source -AccessToken $script:Token -Path $archive | Out-Null
        'live', 'gone' | ForEach-Object { Set-KvSecret -VaultUri $target -AccessToken $script:Token -Name $_ -SecretValue $script:Value }
        Remove-KvObject -VaultUri $target -AccessToken $script:Token -Type Secret -Name gone -Force

        $plan = Restore-KvObject -Path $archive -VaultUri $target -AccessToken $script:Token -WhatIf -ErrorAction SilentlyContinue
        ($plan | Where-Object Name -eq 'free').Status | Should -Be 'Planned'
        ($plan | Where-Object Name -eq 'live').Status | Should -Be 'Skipped'
        ($plan | Where-Object Name -eq 'gone').Status | Should -Be 'Failed'
        (Get-KvObject -VaultUri $target -AccessToken $script:Token).Name | Should -Be 'live'

        $err = $null
        $run = Restore-KvObject -Path $archive -VaultUri $target -AccessToken $script:Token -ErrorVariable err -ErrorAction SilentlyContinue
        ($run | Where-Object Name -eq 'free').Status | Should -Be 'Restored'
        ($run | Where-Object Name -eq 'live').Status | Should -Be 'Skipped'
        ($run | Where-Object Name -eq 'gone').Status | Should -Be 'Failed'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KvObjectSoftDeleted*'
        $err[0].Exception.Message | Should -Match "secret 'gone' is soft-deleted"
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'SoftDeletedPolicy Purge'

        $purged = Restore-KvObject -Path $archive -VaultUri $target -AccessToken $script:Token -Name gone -SoftDeletedPolicy Purge -Force
        $purged.Status | Should -Be 'Restored'
        (Get-KvObject -VaultUri $target -AccessToken $script:Token).Name | Sort-Object | Should -Be @('free', 'gone', 'live')
    }

    It 'replaces an archive only with -Force and writes nothing with -WhatIf' {
        $source = New-TestVault -Server $script:Server
        Set-KvSecret -VaultUri $source -AccessToken $script:Token -Name one -SecretValue $script:Value
        $archive = Join-Path $TestDrive 'existing.kva'
        Set-Content -Path $archive -Value 'not an archive'
        { Backup-KvObject -VaultUri $source -AccessToken $script:Token -Path $archive -ErrorAction Stop } | Should -Throw -ErrorId 'KvArchiveExists*'
        Get-Content -Path $archive | Should -Be 'not an archive'

        $whatIf = Join-Path $TestDrive 'whatif.kva'
        Backup-KvObject -VaultUri $source -AccessToken $script:Token -Path $whatIf -WhatIf
        $whatIf | Should -Not -Exist

        Backup-KvObject -VaultUri $source -AccessToken $script:Token -Path $archive -Force | Out-Null
        (Test-KvArchive -Path $archive).IsValid | Should -BeTrue
    }

    It 'backs up with the managed identity of the environment and no credential parameter (Azure Automation)' {
        $source = New-TestVault -Server $script:Server
        $null = Invoke-TestSeed -Server $script:Server -VaultUri $source -Seed @{ secrets = 10; keys = 2; certificates = 1; versions = 1; prefix = 'mi' }
        $archive = Join-Path $TestDrive 'runbook.kva'
        $env:IDENTITY_ENDPOINT = $script:Server.IdentityEndpoint
        $env:IDENTITY_HEADER = $script:Server.IdentityHeader
        try {
            $saved = Get-KvObject -VaultUri $source | Backup-KvObject -Path $archive
            @($saved | Where-Object Status -eq 'Saved').Count | Should -Be 13
            (Test-KvArchive -Path $archive).IsValid | Should -BeTrue
        }
        finally {
            Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER -ErrorAction SilentlyContinue
        }
    }
}
