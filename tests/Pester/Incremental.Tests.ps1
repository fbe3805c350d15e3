#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.7' }
# Backup-KvObject -BaseArchive as a nightly runbook runs it: only what changed is backed up, the rest is copied,
# the new archive stands alone, and a damaged base stops the run before anything is written.

BeforeAll {
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

Describe 'Incremental backup' -Tag 'Incremental', 'LocalVault' {
    BeforeAll {
        $vault = New-TestVault -Server $script:Server
        $kv = @{ VaultUri = $vault; AccessToken = $script:Token }
        $null = Invoke-TestSeed -Server $script:Server -VaultUri $vault -Seed @{ secrets = 12; keys = 3; certificates = 1; versions = 2; prefix = 'nightly' }
        # Times are whole seconds: an object whose last update was over before its backup can be copied later.
        Start-Sleep -Milliseconds 3500
        $monday = Join-Path $TestDrive 'monday.kva'
        $null = Backup-KvObject @kv -Path $monday
    }

    It 'copies unchanged entries, backs up changed ones and records deleted ones' {
        $secrets = @(Get-KvObject @kv -Type Secret | Where-Object { -not $_.Managed })
        Update-KvObject @kv -Type Secret -Name $secrets[0].Name -Tag @{ rotated = 'yes' }
        Remove-KvObject @kv -Type Secret -Name $secrets[1].Name -Force
        Start-Sleep -Milliseconds 3500
        $tuesday = Join-Path $TestDrive 'tuesday.kva'

        $records = Backup-KvObject @kv -Path $tuesday -BaseArchive $monday -Verbose 4>$null
        ($records | Where-Object Status -eq 'Saved').Name | Should -Be $secrets[0].Name
        ($records | Where-Object Status -eq 'Deleted').Name | Should -Be $secrets[1].Name
        @($records | Where-Object Status -eq 'Copied').Count | Should -Be 14

        (Test-KvArchive -Path $tuesday).IsValid | Should -BeTrue
        $target = New-TestVault -Server $script:Server
        $restored = Restore-KvObject -Path $tuesday -VaultUri $target -AccessToken $script:Token
        @($restored | Where-Object Status -eq 'Restored').Count | Should -Be 15
        (Get-KvObject -VaultUri $target -AccessToken $script:Token -Type Secret -Name $secrets[0].Name).Tags['rotated'] | Should -Be 'yes'
        Compare-KvArchive -Path $tuesday @kv | Should -BeNullOrEmpty
    }

    It 'refuses a damaged base before writing anything' {
        $bad = Join-Path $TestDrive 'damaged.kva'
        $bytes = [IO.File]::ReadAllBytes($monday)
        $bytes[[int]($bytes.Length / 2)] = $bytes[[int]($bytes.Length / 2)] -bxor 0x20
        [IO.File]::WriteAllBytes($bad, $bytes)
        $out = Join-Path $TestDrive 'never.kva'

        $err = $null
        try { Backup-KvObject @kv -Path $out -BaseArchive $bad } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'KvBaseArchiveInvalid*'
        $err.ErrorDetails.RecommendedAction | Should -Match 'BaseArchive'
        $out | Should -Not -Exist
    }
}
