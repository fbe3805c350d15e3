#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.7' }
# Compare-KvArchive as an operator runs it: vault against archive and archive against archive, and its records
# piped into Backup-KvObject and Restore-KvObject.

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

Describe 'Compare-KvArchive' -Tag 'Compare', 'LocalVault' {
    BeforeEach {
        $vault = New-TestVault -Server $script:Server
        $kv = @{ VaultUri = $vault; AccessToken = $script:Token }
        'same', 'tagged', 'deleted' | ForEach-Object { Set-KvSecret @kv -Name $_ -SecretValue $script:Value }
        $null = New-KvKey @kv -Name signing
        $archive = Join-Path $TestDrive "base-$([guid]::NewGuid().ToString('N')).kva"
        $null = Backup-KvObject @kv -Path $archive
    }

    It 'reports nothing for an unchanged vault, and every object with -IncludeEqual' {
        Compare-KvArchive -Path $archive @kv | Should -BeNullOrEmpty
        $all = Compare-KvArchive -Path $archive @kv -IncludeEqual
        @($all).Count | Should -Be 4
        $all.State | Sort-Object -Unique | Should -Be 'Unchanged'
        $all[0] | Should -BeOfType ([KvArchive.Engine.Transfer.KvDifference])
    }

    It 'tells added, removed and changed objects apart and fits them in 80 columns' {
        Update-KvObject @kv -Type Secret -Name tagged -Tag @{ owner = 'ops' }
        Remove-KvObject @kv -Type Secret -Name deleted -Force
        Set-KvSecret @kv -Name added -SecretValue $script:Value

        $diff = Compare-KvArchive -Path $archive @kv
        ($diff | ForEach-Object { "$($_.State) $($_.Name)" }) | Should -Be @('Added added', 'Removed deleted', 'Changed tagged')
        ($diff | Where-Object Name -eq tagged).Changes | Should -Contain 'Tags'
        $lines = ($diff | Out-String -Width 80) -split "`r?`n"
        @($lines | Where-Object Length -gt 80) | Should -BeNullOrEmpty
        ($lines -match 'Changed\s+Secret\s+tagged\s+.*Tags') | Should -Not -BeNullOrEmpty
    }

    It 'pipes into Backup-KvObject (what changed) and Restore-KvObject (what was removed)' {
        Update-KvObject @kv -Type Secret -Name tagged -Tag @{ owner = 'ops' }
        Remove-KvObject @kv -Type Secret -Name deleted -Force -Purge
        $changes = Join-Path $TestDrive 'changes.kva'

        $saved = Compare-KvArchive -Path $archive @kv | Where-Object State -ne 'Removed' | Backup-KvObject -Path $changes -AccessToken $script:Token
        $saved.Name | Should -Be 'tagged'
        (Get-KvArchiveItem -Path $changes).Name | Should -Be 'tagged'

        $restored = Compare-KvArchive -Path $archive @kv | Where-Object State -eq 'Removed' | Restore-KvObject -AccessToken $script:Token
        $restored.Name | Should -Be 'deleted'
        $restored.Status | Should -Be 'Restored'
        (Get-KvObject @kv -Type Secret -Name deleted).Name | Should -Be 'deleted'
    }

    It 'compares two archives, every version included' {
        Set-KvSecret @kv -Name same -SecretValue $script:Value
        $later = Join-Path $TestDrive 'later.kva'
        $null = Backup-KvObject @kv -Path $later
        $diff = Compare-KvArchive -Path $archive -DifferencePath $later
        $diff.Name | Should -Be 'same'
        $diff.Changes | Should -Contain 'Versions'
        $diff.DifferencePath | Should -Be $later
    }
}
