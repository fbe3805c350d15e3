#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.7' }
# Each failure reaches PowerShell with its category, a stable FullyQualifiedErrorId and the object as target.

BeforeAll {
    # As PSRule's suites do: strict mode, and the preference each test relies on, set here rather than inherited
    # from the caller (build.ps1 runs with 'Stop').
    Set-StrictMode -Version Latest
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'KvArchive.TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Server = Start-TestLocalVault
    $script:Token = New-TestToken -Server $script:Server
    $script:Value = ConvertTo-SecureString 'v' -AsPlainText -Force
}

AfterAll {
    if ($script:Server) { Stop-TestLocalVault -Server $script:Server }
    Remove-Module KvArchive -ErrorAction SilentlyContinue
    Remove-Item Env:KVARCHIVE_MAX_RETRIES, Env:KVARCHIVE_RETRY_DELAY_MS -ErrorAction SilentlyContinue
}

Describe 'Error categories' -Tag 'Errors', 'LocalVault' {
    BeforeEach {
        $vault = New-TestVault -Server $script:Server
        $kv = @{ VaultUri = $vault; AccessToken = $script:Token }
    }

    It '404 is ObjectNotFound' {
        $err = $null
        Get-KvSecret @kv -Name ghost -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KvObjectNotFound,*'
        $err[0].TargetObject | Should -Be 'ghost'
    }

    It '403 with a limited token is PermissionDenied, and the command goes on' {
        Set-KvSecret @kv -Name guarded -SecretValue $script:Value
        $limited = New-TestToken -Server $script:Server -Permission 'secrets/list' -Identity 'limited'
        $listErr = $null
        @(Get-KvObject -VaultUri $vault -AccessToken $limited -Name 'g*' -ErrorVariable listErr -ErrorAction SilentlyContinue).Count | Should -Be 1
        # Keys and certificates cannot be listed with that token: one PermissionDenied error each, and the secrets still came.
        @($listErr).Count | Should -Be 2
        $listErr | ForEach-Object { $_.CategoryInfo.Category | Should -Be 'PermissionDenied' }
        $err = $null
        Get-KvSecret -VaultUri $vault -AccessToken $limited -Name guarded -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KvPermissionDenied,*'
    }

    It 'a least-privilege token backs up the kinds it may read and reports each refused kind once, naming the permission' {
        $null = Invoke-TestSeed -Server $script:Server -VaultUri $vault -Seed @{ secrets = 30; keys = 2; versions = 1; prefix = 'lp' }
        $limited = New-TestToken -Server $script:Server -Permission 'secrets/list', 'secrets/get', 'secrets/backup' -Identity 'secrets-only'
        $archive = Join-Path $TestDrive 'least.kva'
        $err = $null
        $records = @(Backup-KvObject -VaultUri $vault -AccessToken $limited -Path $archive -ErrorVariable err -ErrorAction SilentlyContinue)
        $ok = $?
        $ok | Should -BeFalse
        @($records | Where-Object Status -eq 'Saved').Count | Should -Be 30
        @($err).Count | Should -Be 2
        $err | ForEach-Object {
            $_.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $_.FullyQualifiedErrorId | Should -BeLike 'KvPermissionDenied,*'
        }
        ($err | ForEach-Object { $_.Exception.Message }) -join ' ' | Should -Match "'keys/list'"
        ($err | ForEach-Object { $_.Exception.Message }) -join ' ' | Should -Match "'certificates/list'"
        Test-Path $archive | Should -BeTrue
        @(Get-KvArchiveItem -Path $archive | Where-Object Status -eq 'Saved').Count | Should -Be 30

        $listErr = $null
        $listed = @(Get-KvObject -VaultUri $vault -AccessToken $limited -Type Certificate, Key, Secret -ErrorVariable listErr -ErrorAction SilentlyContinue)
        $ok = $?
        $ok | Should -BeFalse
        $listed.Count | Should -Be 30
        @($listErr).Count | Should -Be 2
        @($listErr | ForEach-Object { "$($_.TargetObject)" }) | Should -Be @('Certificate', 'Key')
        $listErr[1].Exception.Message | Should -Match "'keys/list'"
    }

    It '409 on a soft-deleted name is ResourceExists and spells out the way out' {
        Set-KvSecret @kv -Name reused -SecretValue $script:Value
        Remove-KvObject @kv -Type Secret -Name reused -Force
        $err = $null
        Set-KvSecret @kv -Name reused -SecretValue $script:Value -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KvObjectSoftDeleted,*'
        $err[0].Exception.Message | Should -Match 'reused'
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'Undo-KvObjectRemoval'
    }

    It '429 after every retry is LimitsExceeded' {
        Set-KvSecret @kv -Name hot -SecretValue $script:Value
        $env:KVARCHIVE_MAX_RETRIES = '3'
        $env:KVARCHIVE_RETRY_DELAY_MS = '20'
        Set-TestVaultFault -Server $script:Server -VaultUri $vault -Rule @{ method = 'GET'; pathRegex = '/secrets/hot'; status = 429; count = 1000 }
        try {
            $err = $null
            Get-KvSecret @kv -Name hot -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
            $err[0].FullyQualifiedErrorId | Should -BeLike 'KvThrottled,*'
            (Get-TestVaultStats -Server $script:Server -VaultUri $vault).byStatus.'429' | Should -BeGreaterThan 1
        }
        finally {
            Clear-TestVaultFault -Server $script:Server -VaultUri $vault
            Remove-Item Env:KVARCHIVE_MAX_RETRIES, Env:KVARCHIVE_RETRY_DELAY_MS -ErrorAction SilentlyContinue
        }
    }

    It 'a bad token stops the command once with AuthenticationError' {
        $bad = ConvertTo-SecureString 'not-a-token' -AsPlainText -Force
        $caught = $null
        try { Get-KvObject -VaultUri $vault -AccessToken $bad -Name 'a*', 'b*' } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        $caught.CategoryInfo.Category | Should -Be 'AuthenticationError'
    }

    It 'an invalid vault name stops the command with InvalidArgument' {
        { Get-KvObject -VaultName 'no_such vault!' -AccessToken $script:Token -ErrorAction Stop } | Should -Throw -ErrorId 'KvInvalidVault*'
    }
}
