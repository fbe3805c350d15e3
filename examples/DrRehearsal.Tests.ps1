#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
.SYNOPSIS
    A disaster-recovery rehearsal as a Pester suite: back up production, verify the archive, restore it into a
    second vault, and check what a failure, a least-privilege identity and time do to it, against LocalVault.
.DESCRIPTION
    Runs from the installed packages, with no source checkout:

        dotnet tool install --global KvArchive.LocalVault.Tool   # LocalVault, command 'localvault'
        Install-PSResource KvArchive, KvArchive.LocalVault
        Invoke-Pester ./DrRehearsal.Tests.ps1

    Start-KvLocalVault points KvArchive at LocalVault through the managed-identity variables, so the cmdlets
    below take no credential parameter, exactly as a runbook in Azure Automation would. (build.ps1 -Task
    TestInstalled runs this suite so, from the packages in out/package.)
#>

BeforeAll {
    Import-Module KvArchive, KvArchive.LocalVault -ErrorAction Stop

    # prod stands for the production vault; dr is the empty vault the runbook restores into.
    $script:lv = Start-KvLocalVault -Vault prod, dr
    $script:seed = Add-KvLocalVaultSeed -Vault prod -Secrets 40 -Keys 6 -Certificates 4 -Versions 2 -Prefix app
    $script:archive = Join-Path $TestDrive 'prod.kva'

    function Get-Inventory([Uri] $VaultUri) {
        Get-KvObject -VaultUri $VaultUri -IncludeVersions | ForEach-Object { '{0}/{1}/{2}' -f $_.Type, $_.Name, $_.Version } | Sort-Object
    }
}

AfterAll {
    Stop-KvLocalVault
}

Describe 'Disaster-recovery rehearsal' {
    It 'connects with no credential parameter, through the managed identity Start-KvLocalVault set up' {
        $env:IDENTITY_ENDPOINT | Should -Be $lv.IdentityEndpoint
        $env:KVARCHIVE_TRUSTED_CERTIFICATE | Should -Be $lv.CertificatePath
        @(Get-KvObject -VaultUri $lv.Vaults.prod -Type Secret -Name 'app-s*').Count | Should -Be $seed.secrets
    }

    It 'backs up the whole vault, riding out three 503s from the service' {
        Set-KvLocalVaultFault -Vault prod -Rule @{ method = 'POST'; pathRegex = '/backup$'; status = 503; count = 3 }
        try {
            $saved = Get-KvObject -VaultUri $lv.Vaults.prod | Backup-KvObject -Path $archive
        }
        finally {
            Clear-KvLocalVaultFault -Vault prod
        }

        # Every secret, key and certificate; each certificate's managed key and secret travel in its backup.
        @($saved | Where-Object Status -eq 'Saved').Count | Should -Be ($seed.secrets + $seed.keys + $seed.certificates)
        @($saved | Where-Object Status -eq 'Skipped').Count | Should -Be (2 * $seed.certificates)
        @($saved | Where-Object Status -eq 'Failed') | Should -BeNullOrEmpty
        (Get-KvLocalVaultStatistic -Vault prod).byStatus.'503' | Should -Be 3
    }

    It 'verifies the archive offline' {
        $check = Test-KvArchive -Path $archive
        $check.IsValid | Should -BeTrue
        $check.VerifiedCount | Should -Be ($seed.secrets + $seed.keys + $seed.certificates)
    }

    It 'shows the restore plan with -WhatIf and changes nothing' {
        # Every entry gets a Planned record whose Reason says what would happen; each certificate's key and secret
        # come back with it, so their own entries would be skipped.
        $plan = Restore-KvObject -Path $archive -VaultUri $lv.Vaults.dr -WhatIf
        @($plan | Where-Object Status -ne 'Planned') | Should -BeNullOrEmpty
        @($plan | Where-Object Reason -eq 'would restore').Count | Should -Be ($seed.secrets + $seed.keys + $seed.certificates)
        @($plan | Where-Object Reason -like 'would skip*').Count | Should -Be (2 * $seed.certificates)
        @($plan | Where-Object Reason -like 'would fail*') | Should -BeNullOrEmpty
        Get-KvObject -VaultUri $lv.Vaults.dr | Should -BeNullOrEmpty
    }

    It 'restores into the second vault with every version' {
        $restored = Get-KvArchiveItem -Path $archive | Restore-KvObject -VaultUri $lv.Vaults.dr
        @($restored | Where-Object Status -eq 'Restored').Count | Should -Be ($seed.secrets + $seed.keys + $seed.certificates)
        @($restored | Where-Object Status -eq 'Failed') | Should -BeNullOrEmpty
        Get-Inventory $lv.Vaults.dr | Should -Be (Get-Inventory $lv.Vaults.prod)
    }

    It 'backs up with a least-privilege operator identity that cannot read a secret value' {
        $operations = 'list', 'backup' | ForEach-Object { $op = $_; 'secrets', 'keys', 'certificates' | ForEach-Object { "$_/$op" } }
        $operator = New-KvLocalVaultToken -Identity backup-operator -Permission $operations
        $secondArchive = Join-Path $TestDrive 'operator.kva'

        $saved = Get-KvObject -VaultUri $lv.Vaults.prod -AccessToken $operator | Backup-KvObject -Path $secondArchive -AccessToken $operator
        @($saved | Where-Object Status -eq 'Saved').Count | Should -Be ($seed.secrets + $seed.keys + $seed.certificates)

        $denied = $null
        $value = Get-KvSecret -VaultUri $lv.Vaults.prod -Name app-s0000 -AccessToken $operator -ErrorVariable denied -ErrorAction SilentlyContinue
        $value | Should -BeNullOrEmpty
        $denied[0].FullyQualifiedErrorId | Should -BeLike 'KvPermissionDenied,*'
        $denied[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
    }

    It 'purges a soft-deleted secret once its retention has passed' {
        Remove-KvObject -VaultUri $lv.Vaults.dr -Type Secret -Name app-s0001 -Force
        @(Get-KvObject -VaultUri $lv.Vaults.dr -InRemovedState).Name | Should -Contain 'app-s0001'

        Set-KvLocalVaultClock -Offset (New-TimeSpan -Days 91)
        try {
            @(Get-KvObject -VaultUri $lv.Vaults.dr -InRemovedState) | Should -BeNullOrEmpty
        }
        finally {
            Set-KvLocalVaultClock -Reset
        }
    }
}
