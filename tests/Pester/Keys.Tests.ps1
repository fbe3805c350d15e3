#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.7' }
# The key flow: create, remove and wait, purge, in a vault whose deletes take time.

BeforeAll {
    # As PSRule's suites do: strict mode, and the preference each test relies on, set here rather than inherited
    # from the caller (build.ps1 runs with 'Stop').
    Set-StrictMode -Version Latest
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'KvArchive.TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Server = Start-TestLocalVault
    $script:Token = New-TestToken -Server $script:Server
}

AfterAll {
    if ($script:Server) { Stop-TestLocalVault -Server $script:Server }
    Remove-Module KvArchive -ErrorAction SilentlyContinue
}

Describe 'Keys' -Tag 'Keys', 'LocalVault' {
    BeforeAll {
        $vault = New-TestVault -Server $script:Server -Settings @{ deleteDelayMs = 1500 }
        $kv = @{ VaultUri = $vault; AccessToken = $script:Token }
    }

    It 'creates RSA and EC keys with their properties' {
        $rsa = New-KvKey @kv -Name signing -Size 3072 -Tag @{ owner = 'pki' }
        $rsa.Type | Should -Be 'Key'
        $rsa.KeyType | Should -BeLike 'RSA*'
        $rsa.Tags['owner'] | Should -Be 'pki'
        $ec = New-KvKey @kv -Name ecdh -KeyType EC -Curve P-384 -Disabled
        $ec.KeyType | Should -BeLike 'EC*'
        $ec.CurveName | Should -Be 'P-384'
        $ec.Enabled | Should -BeFalse
    }

    It 'refuses a curve for an RSA key' {
        { New-KvKey @kv -Name wrong -KeyType RSA -Curve P-256 -ErrorAction Stop } | Should -Throw '*-Curve*'
    }

    It 'removes a key and returns only when the vault shows it removed' {
        $removed = Remove-KvObject @kv -Type Key -Name signing -Force -PassThru
        $removed.Deleted | Should -BeTrue
        (Get-KvObject @kv -Type Key -InRemovedState).Name | Should -Be 'signing'
    }

    It 'purges a removed key' {
        Remove-KvObject @kv -Type Key -Name signing -InRemovedState -Purge -Force
        Get-KvObject @kv -Type Key -InRemovedState | Should -BeNullOrEmpty
    }

    It 'removes and purges a live key in one go, and the name can be used again' {
        Remove-KvObject @kv -Type Key -Name ecdh -Purge -Force
        Get-KvObject @kv -Type Key | Should -BeNullOrEmpty
        Get-KvObject @kv -Type Key -InRemovedState | Should -BeNullOrEmpty
        (New-KvKey @kv -Name ecdh -KeyType EC).Name | Should -Be 'ecdh'
    }
}
