#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.7' }
# Listing, wildcards, versions, updates without versions, removal and recovery, -WhatIf, non-interactive hosts.

BeforeAll {
    # As PSRule's suites do: strict mode, and the preference each test relies on, set here rather than inherited
    # from the caller (build.ps1 runs with 'Stop').
    Set-StrictMode -Version Latest
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'KvArchive.TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Server = Start-TestLocalVault
    $script:Token = New-TestToken -Server $script:Server
    $script:Value = ConvertTo-SecureString 'not-a-canary' -AsPlainText -Force
}

AfterAll {
    if ($script:Server) { Stop-TestLocalVault -Server $script:Server }
    Remove-Module KvArchive -ErrorAction SilentlyContinue
}

Describe 'Get-KvObject' -Tag 'Objects', 'LocalVault' {
    BeforeAll {
        $vault = New-TestVault -Server $script:Server
        $kv = @{ VaultUri = $vault; AccessToken = $script:Token }
        foreach ($name in 'app-db', 'app-api', 'web-db', 'other') {
            Set-KvSecret @kv -Name $name -SecretValue $script:Value
        }
        Set-KvSecret @kv -Name other -SecretValue $script:Value
    }

    It 'selects by wildcard' {
        (Get-KvObject @kv -Name 'app-*').Name | Sort-Object | Should -Be @('app-api', 'app-db')
        (Get-KvObject @kv -Name '???-db').Name | Sort-Object | Should -Be @('app-db', 'web-db')
        Get-KvObject @kv -Name 'zzz*' | Should -BeNullOrEmpty
    }

    It 'writes an object once when patterns overlap' {
        (Get-KvObject @kv -Name 'app-*', '*-db').Name | Sort-Object | Should -Be @('app-api', 'app-db', 'web-db')
    }

    It 'lists every version with -IncludeVersions' {
        @(Get-KvObject @kv -Name other -IncludeVersions).Count | Should -Be 2
        @(Get-KvObject @kv -IncludeVersions).Count | Should -Be 5
    }

    It 'reports a missing plain name as ObjectNotFound with the name as target' {
        $err = $null
        Get-KvObject @kv -Name no-such-thing -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KvObjectNotFound*'
        $err[0].TargetObject | Should -Be 'no-such-thing'
    }

    It 'streams a vault of many pages' {
        $big = New-TestVault -Server $script:Server
        $null = Invoke-TestSeed -Server $script:Server -VaultUri $big -Seed @{ secrets = 60; keys = 30; certificates = 0; versions = 1; prefix = 'bulk' }
        @(Get-KvObject -VaultUri $big -AccessToken $script:Token).Count | Should -Be 90
        @(Get-KvObject -VaultUri $big -AccessToken $script:Token -Type Key).Count | Should -Be 30
    }
}

Describe 'Update-KvObject' -Tag 'Objects', 'LocalVault' {
    BeforeEach {
        $vault = New-TestVault -Server $script:Server
        $kv = @{ VaultUri = $vault; AccessToken = $script:Token }
        Set-KvSecret @kv -Name cfg -SecretValue $script:Value
    }

    It 'changes properties in place without a new version' {
        $before = Get-KvObject @kv -Name cfg
        $updated = Update-KvObject @kv -Type Secret -Name cfg -ContentType text/plain -Tag @{ tier = 'gold' } -ExpiresOn ([datetime]'2030-01-01Z') -PassThru
        $updated.Version | Should -Be $before.Version
        $updated.ContentType | Should -Be 'text/plain'
        $updated.Tags['tier'] | Should -Be 'gold'
        Get-KvObject @kv -Name cfg | Update-KvObject -AccessToken $script:Token -Enabled $false
        $versions = @(Get-KvObject @kv -Name cfg -IncludeVersions)
        $versions.Count | Should -Be 1
        $versions[0].Enabled | Should -BeFalse
    }

    It 'changes nothing with -WhatIf' {
        $before = Get-KvObject @kv -Name cfg
        Update-KvObject @kv -Type Secret -Name cfg -Enabled $false -Tag @{ a = 'b' } -WhatIf
        $after = Get-KvObject @kv -Name cfg
        $after.Enabled | Should -BeTrue
        $after.UpdatedOn | Should -Be $before.UpdatedOn
    }
}

Describe 'Remove-KvObject and Undo-KvObjectRemoval' -Tag 'Objects', 'LocalVault' {
    BeforeEach {
        $vault = New-TestVault -Server $script:Server
        $kv = @{ VaultUri = $vault; AccessToken = $script:Token }
        foreach ($name in 'tmp-a', 'tmp-b', 'tmp-b', 'keep') { Set-KvSecret @kv -Name $name -SecretValue $script:Value }
    }

    It 'removes piped objects, lists them as removed and recovers them with their versions' {
        $removed = Get-KvObject @kv -Name 'tmp-*' | Remove-KvObject -AccessToken $script:Token -Force -PassThru
        $removed.Name | Sort-Object | Should -Be @('tmp-a', 'tmp-b')
        $removed | ForEach-Object { $_.Deleted | Should -BeTrue }
        (Get-KvObject @kv).Name | Should -Be 'keep'
        (Get-KvObject @kv -InRemovedState).Name | Sort-Object | Should -Be @('tmp-a', 'tmp-b')

        $recovered = Get-KvObject @kv -InRemovedState | Undo-KvObjectRemoval -AccessToken $script:Token
        $recovered.Name | Sort-Object | Should -Be @('tmp-a', 'tmp-b')
        @(Get-KvObject @kv -Name tmp-b -IncludeVersions).Count | Should -Be 2
        Get-KvObject @kv -InRemovedState | Should -BeNullOrEmpty
    }

    It 'removes an object once when all its versions are piped' {
        @(Get-KvObject @kv -Name tmp-b -IncludeVersions | Remove-KvObject -AccessToken $script:Token -Force -PassThru).Count | Should -Be 1
    }

    It 'changes nothing with -WhatIf' {
        Remove-KvObject @kv -Type Secret -Name keep -WhatIf
        Remove-KvObject @kv -Type Secret -Name keep -Purge -Force -WhatIf
        (Get-KvObject @kv -Name keep).Name | Should -Be 'keep'
        Get-KvObject @kv -InRemovedState | Should -BeNullOrEmpty
    }

    It 'never prompts in a non-interactive runspace: it fails naming -Force' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddParameter('Name', (Get-TestModuleManifest)).AddStatement()
            $null = $ps.AddCommand('Remove-KvObject')
            $null = $ps.AddParameter('VaultUri', $vault).AddParameter('AccessToken', $script:Token)
            $null = $ps.AddParameter('Type', 'Secret').AddParameter('Name', 'keep')
            $null = $ps.Invoke()
            $ps.Streams.Error.Count | Should -Be 1
            $ps.Streams.Error[0].FullyQualifiedErrorId | Should -BeLike 'KvConfirmationRequired*'
            $ps.Streams.Error[0].Exception.Message | Should -Match '-Force'
        }
        finally {
            $ps.Dispose()
        }
        (Get-KvObject @kv -Name keep).Name | Should -Be 'keep'
    }
}

Describe 'Piped objects bind to Update-KvObject and Undo-KvObjectRemoval' -Tag 'Objects', 'Binding', 'LocalVault' {
    BeforeEach {
        $vault = New-TestVault -Server $script:Server
        $kv = @{ VaultUri = $vault; AccessToken = $script:Token }
        Set-KvSecret @kv -Name two -SecretValue $script:Value
        Set-KvSecret @kv -Name two -SecretValue $script:Value
        Set-KvSecret @kv -Name one -SecretValue $script:Value
        $null = New-KvKey @kv -Name sign
    }

    It 'updates the version that was piped, not the latest' {
        $latest = (Update-KvObject @kv -Type Secret -Name two -PassThru).Version
        $old = Get-KvObject @kv -Name two -IncludeVersions | Where-Object Version -ne $latest
        @($old).Count | Should -Be 1
        $updated = $old | Update-KvObject -AccessToken $script:Token -Enabled $false -PassThru
        $updated.Version | Should -Be $old.Version
        $versions = Get-KvObject @kv -Name two -IncludeVersions
        ($versions | Where-Object Version -eq $old.Version).Enabled | Should -BeFalse
        ($versions | Where-Object Version -eq $latest).Enabled | Should -BeTrue
    }

    It 'updates every object piped from a listing, each in its own vault and kind' {
        $updated = Get-KvObject @kv | Update-KvObject -AccessToken $script:Token -Tag @{ piped = 'yes' } -PassThru
        $updated.Name | Sort-Object | Should -Be @('one', 'sign', 'two')
        Get-KvObject @kv | ForEach-Object { $_.Tags['piped'] | Should -Be 'yes' }
        (Get-KvObject @kv -Name sign).Type | Should -Be 'Key'
    }

    It 'binds other objects by property name: a PSCustomObject, a backup record' {
        [pscustomobject]@{ Type = 'Key'; Name = 'sign'; VaultUri = $vault } | Update-KvObject -AccessToken $script:Token -Tag @{ by = 'name' }
        (Get-KvObject @kv -Name sign).Tags['by'] | Should -Be 'name'

        $records = Backup-KvObject @kv -Type Secret -Name one -Path (Join-Path $TestDrive 'one.kva') 6>$null
        $records | Update-KvObject -AccessToken $script:Token -Tag @{ by = 'record' }
        (Get-KvObject @kv -Name one).Tags['by'] | Should -Be 'record'
    }

    It 'refuses an object with nothing to bind, as a binding error (not a crash)' {
        { [pscustomobject]@{ Unrelated = 1 } | Update-KvObject -AccessToken $script:Token -Tag @{ a = 'b' } } |
            Should -Throw -ErrorId 'InputObjectNotBound*'
    }

    It 'recovers removed objects piped from -InRemovedState or named by property' {
        Remove-KvObject @kv -Type Secret -Name one -Force
        Remove-KvObject @kv -Type Key -Name sign -Force
        $removed = Get-KvObject @kv -InRemovedState
        ($removed | Where-Object Type -eq 'Secret') | Undo-KvObjectRemoval -AccessToken $script:Token | Select-Object -ExpandProperty Name | Should -Be 'one'
        [pscustomobject]@{ Type = 'Key'; Name = 'sign'; VaultUri = $vault } | Undo-KvObjectRemoval -AccessToken $script:Token | Select-Object -ExpandProperty Name | Should -Be 'sign'
        (Get-KvObject @kv).Name | Sort-Object | Should -Be @('one', 'sign', 'two')
        Get-KvObject @kv -InRemovedState | Should -BeNullOrEmpty
    }
}

