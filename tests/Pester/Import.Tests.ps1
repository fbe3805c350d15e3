#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.7' }
# Backup files as az CLI, Az PowerShell and the portal write them (the blob's bytes, no framing): imported into an
# archive, restored directly, and written back out of an archive by Export-KvArchiveItem.

BeforeAll {
    Set-StrictMode -Version Latest
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'KvArchive.TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Server = Start-TestLocalVault
    $script:Token = New-TestToken -Server $script:Server
    $script:Value = ConvertTo-SecureString 'v1' -AsPlainText -Force

    # The real service's secret backup, from the Azure SDK recordings: what az keyvault secret backup --file writes.
    $recording = Join-Path (Get-TestRepoRoot) '..' 'shared' 'conformance' 'recordings' 'azure-sdk-for-cpp' 'KeyVaultSecretClientTest.BackupRestore.json'
    $call = (Get-Content $recording -Raw | ConvertFrom-Json).networkCallRecords | Where-Object { $_.Method -eq 'POST' -and $_.Url -match '/backup' } | Select-Object -First 1
    $value = ($call.Response.BODY | ConvertFrom-Json).value.Replace('-', '+').Replace('_', '/')
    $script:AzSecretBlob = [Convert]::FromBase64String($value + ('=' * ((4 - $value.Length % 4) % 4)))
}

AfterAll {
    if ($script:Server) { Stop-TestLocalVault -Server $script:Server }
    Remove-Module KvArchive -ErrorAction SilentlyContinue
}

Describe 'Import-KvArchiveItem' -Tag 'Import' {
    It 'recognises the real service''s blob and writes an archive that verifies' {
        $file = Join-Path $TestDrive 'db-password.blob'
        [IO.File]::WriteAllBytes($file, $script:AzSecretBlob)
        $archive = Join-Path $TestDrive 'az.kva'

        $items = Import-KvArchiveItem -Path $file -DestinationPath $archive
        $items.Type | Should -Be 'Secret'
        $items.Name | Should -Be 'db-password'
        $items | Should -BeOfType ([KvArchive.Engine.Archive.ArchiveItem])
        (Test-KvArchive -Path $archive).IsValid | Should -BeTrue

        $out = Join-Path $TestDrive 'out'
        $exported = Export-KvArchiveItem -Path $archive -Destination $out
        $exported.FullName | Should -Be (Join-Path $out 'secrets' 'db-password.blob')
        [IO.File]::ReadAllBytes($exported.FullName) | Should -Be $script:AzSecretBlob
    }

    It 'reports a file that is no backup and imports the others; -WhatIf writes nothing; an archive is replaced only with -Force' {
        $folder = Join-Path $TestDrive 'mixed'
        New-Item -ItemType Directory -Path $folder | Out-Null
        [IO.File]::WriteAllBytes((Join-Path $folder 'good.blob'), $script:AzSecretBlob)
        Set-Content -Path (Join-Path $folder 'notes.txt') -Value 'not a backup'
        $archive = Join-Path $TestDrive 'mixed.kva'

        Get-ChildItem $folder | Import-KvArchiveItem -DestinationPath $archive -WhatIf -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $archive | Should -Not -Exist

        $err = $null
        $items = Get-ChildItem $folder | Import-KvArchiveItem -DestinationPath $archive -ErrorVariable err -ErrorAction SilentlyContinue
        @($items).Count | Should -Be 1
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KvBackupFileUnrecognized*'
        $err[0].TargetObject | Should -BeLike '*notes.txt'
        $err[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty

        { Import-KvArchiveItem -Path (Join-Path $folder 'good.blob') -DestinationPath $archive } | Should -Throw -ErrorId 'KvArchiveExists*'
        (Import-KvArchiveItem -Path (Join-Path $folder 'good.blob') -Name renamed -DestinationPath $archive -Force).Name | Should -Be 'renamed'
    }

    It 'warns when a key-framed file could be a certificate' {
        $vault = New-TestVault -Server $script:Server
        $null = New-KvKey -VaultUri $vault -AccessToken $script:Token -Name signing
        $archive = Join-Path $TestDrive 'keys.kva'
        $null = Backup-KvObject -VaultUri $vault -AccessToken $script:Token -Path $archive
        $file = (Export-KvArchiveItem -Path $archive -Destination (Join-Path $TestDrive 'k')).FullName
        $loose = Join-Path $TestDrive 'signing.bin'
        Copy-Item $file $loose

        $warnings = $null
        $item = Import-KvArchiveItem -LiteralPath $loose -DestinationPath (Join-Path $TestDrive 'loose.kva') -WarningVariable warnings -WarningAction SilentlyContinue
        $item.Type | Should -Be 'Key'
        $warnings | Should -Match 'Type Certificate'
        $none = $null
        $null = Import-KvArchiveItem -LiteralPath $file -DestinationPath (Join-Path $TestDrive 'kept.kva') -WarningVariable none
        $none | Should -BeNullOrEmpty
    }
}

Describe 'Backup files round trip through a vault' -Tag 'Import', 'LocalVault' {
    It 'restores exported files directly and through an imported archive' {
        $source = New-TestVault -Server $script:Server
        $null = Invoke-TestSeed -Server $script:Server -VaultUri $source -Seed @{ secrets = 3; keys = 2; certificates = 2; versions = 2; prefix = 'io' }
        $archive = Join-Path $TestDrive 'source.kva'
        $null = Backup-KvObject -VaultUri $source -AccessToken $script:Token -Path $archive
        $files = Export-KvArchiveItem -Path $archive -Destination (Join-Path $TestDrive 'files')
        @($files).Count | Should -Be 7

        $direct = New-TestVault -Server $script:Server
        $restored = $files | ForEach-Object { Restore-KvObject -Path $_.FullName -VaultUri $direct -AccessToken $script:Token }
        @($restored | Where-Object Status -eq 'Restored').Count | Should -Be 7

        $imported = Join-Path $TestDrive 'imported.kva'
        $null = $files | Import-KvArchiveItem -DestinationPath $imported
        $viaArchive = New-TestVault -Server $script:Server
        @(Restore-KvObject -Path $imported -VaultUri $viaArchive -AccessToken $script:Token | Where-Object Status -eq 'Restored').Count | Should -Be 7

        $expected = Get-KvObject -VaultUri $source -AccessToken $script:Token -IncludeVersions | ForEach-Object { "$($_.Type)/$($_.Name)/$($_.Version)/$($_.UpdatedOn)" } | Sort-Object
        foreach ($vault in $direct, $viaArchive) {
            Get-KvObject -VaultUri $vault -AccessToken $script:Token -IncludeVersions | ForEach-Object { "$($_.Type)/$($_.Name)/$($_.Version)/$($_.UpdatedOn)" } | Sort-Object |
                Should -Be $expected
        }
    }
}
