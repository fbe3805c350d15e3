#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.7' }
# Issue 11: a run's outcome tells the truth. Completeness in the archive, restore that verifies first, and every bad
# input a KvArchive error with a stable id, its category and a remedy.

BeforeAll {
    Set-StrictMode -Version Latest
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'KvArchive.TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Server = Start-TestLocalVault
    $script:Token = New-TestToken -Server $script:Server
    $script:Value = ConvertTo-SecureString 'v' -AsPlainText -Force

    function Get-FirstError([scriptblock] $Command) {
        $err = $null
        try { & $Command -ErrorVariable err -ErrorAction SilentlyContinue *> $null } catch { return $_ }
        $err | Select-Object -First 1
    }
}

AfterAll {
    if ($script:Server) { Stop-TestLocalVault -Server $script:Server }
    Remove-Module KvArchive -ErrorAction SilentlyContinue
}

Describe 'Completeness' -Tag 'LocalVault' {
    BeforeEach {
        $vault = New-TestVault -Server $script:Server
        $kv = @{ VaultUri = $vault; AccessToken = $script:Token }
        $folder = Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory $folder
    }
    AfterEach { Remove-Item $folder -Recurse -Force }

    It 'a wildcard that matched nothing writes no archive unless -AllowEmpty, and then it is valid but not complete' {
        Set-KvSecret @kv -Name app-1 -SecretValue $script:Value
        $path = Join-Path $folder 'x.kva'
        $e = Get-FirstError { Backup-KvObject @kv -Name 'nothing-*' -Path $path -WarningAction SilentlyContinue }
        $e.FullyQualifiedErrorId | Should -BeLike 'KvArchiveEmpty,*'
        $e.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $e.ErrorDetails.RecommendedAction | Should -Match 'AllowEmpty'
        Test-Path $path | Should -BeFalse
        @(Get-ChildItem -Force $folder).Count | Should -Be 0

        Backup-KvObject @kv -Name 'nothing-*' -Path $path -AllowEmpty -WarningAction SilentlyContinue
        $check = Test-KvArchive -Path $path
        $check.IsValid | Should -BeTrue
        $check.IsComplete | Should -BeFalse
        $check.NotFoundCount | Should -Be 1
    }

    It 'a backup where every object was refused is not complete, as the runbook example checks' {
        Set-KvSecret @kv -Name s1 -SecretValue $script:Value
        Set-KvSecret @kv -Name s2 -SecretValue $script:Value
        $limited = New-TestToken -Server $script:Server -Permission 'secrets/list', 'secrets/get' -Identity 'nobackup'
        $path = Join-Path $folder 'refused.kva'
        Backup-KvObject -VaultUri $vault -AccessToken $limited -Type Secret -Path $path -AllowEmpty -ErrorAction SilentlyContinue
        $check = Test-KvArchive -Path $path
        $check.IsValid | Should -BeTrue
        $check.IsComplete | Should -BeFalse
        $check.RefusedCount | Should -Be 2
        $check.FailedCount | Should -Be 2
    }

    It 'a full backup is complete' {
        Set-KvSecret @kv -Name s1 -SecretValue $script:Value
        $path = Join-Path $folder 'full.kva'
        Backup-KvObject @kv -Type Secret -Path $path
        (Test-KvArchive -Path $path).IsComplete | Should -BeTrue
    }
}

Describe 'Restore verifies first' -Tag 'LocalVault' {
    It 'a damaged archive restores nothing, and -SkipDamagedEntries restores what verifies' {
        $source = New-TestVault -Server $script:Server
        Set-KvSecret -VaultUri $source -AccessToken $script:Token -Name s1 -SecretValue $script:Value
        Set-KvSecret -VaultUri $source -AccessToken $script:Token -Name s2 -SecretValue $script:Value
        $path = Join-Path ([IO.Path]::GetTempPath()) "$([guid]::NewGuid().ToString('N')).kva"
        try {
            Backup-KvObject -VaultUri $source -AccessToken $script:Token -Type Secret -Path $path
            # A different whole-file checksum in the trailer: every entry is intact, the file as a whole is not.
            $bytes = [IO.File]::ReadAllBytes($path)
            $text = [Text.Encoding]::ASCII.GetString($bytes)
            $at = $text.LastIndexOf('"sha256":"') + 10
            $bytes[$at] = if ($bytes[$at] -eq [byte][char]'0') { [byte][char]'1' } else { [byte][char]'0' }
            [IO.File]::WriteAllBytes($path, $bytes)

            $target = New-TestVault -Server $script:Server
            $e = Get-FirstError { Restore-KvObject -VaultUri $target -AccessToken $script:Token -Path $path }
            $e.FullyQualifiedErrorId | Should -BeLike 'KvArchiveVerificationFailed,*'
            $e.CategoryInfo.Category | Should -Be 'InvalidData'
            @(Get-KvObject -VaultUri $target -AccessToken $script:Token).Count | Should -Be 0

            $records = Restore-KvObject -VaultUri $target -AccessToken $script:Token -Path $path -SkipDamagedEntries -WarningAction SilentlyContinue
            @($records | Where-Object Status -EQ 'Restored').Count | Should -Be 2
            @(Get-KvObject -VaultUri $target -AccessToken $script:Token -Type Secret).Count | Should -Be 2
        }
        finally { Remove-Item $path -ErrorAction SilentlyContinue }
    }
}

Describe 'Bad inputs' -Tag 'LocalVault' {
    BeforeAll {
        $vault = New-TestVault -Server $script:Server
        $kv = @{ VaultUri = $vault; AccessToken = $script:Token }
        $folder = Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory (Join-Path $folder 'sub')
        'a' | Set-Content (Join-Path $folder 'two1.kva')
        'b' | Set-Content (Join-Path $folder 'two2.kva')
        Push-Location $folder
    }
    AfterAll {
        Pop-Location
        Remove-Item $folder -Recurse -Force
    }

    It '<Case> is <Id> (<Category>) with a remedy' -ForEach @(
        @{ Case = 'a NUL in Backup -Path'; Id = 'KvArchivePathInvalid'; Category = 'InvalidArgument'; Run = { Backup-KvObject @kv -Path "a`0b.kva" } }
        @{ Case = 'a NUL in Test -Path'; Id = 'KvArchivePathInvalid'; Category = 'InvalidArgument'; Run = { Test-KvArchive -Path "a`0b.kva" } }
        @{ Case = 'a NUL in Get-KvArchiveItem -Path'; Id = 'KvArchivePathInvalid'; Category = 'InvalidArgument'; Run = { Get-KvArchiveItem -Path "a`0b.kva" } }
        @{ Case = 'a NUL in Restore -Path'; Id = 'KvArchivePathInvalid'; Category = 'InvalidArgument'; Run = { Restore-KvObject @kv -Path "a`0b.kva" } }
        @{ Case = 'a relative -VaultUri'; Id = 'KvInvalidVault'; Category = 'InvalidArgument'; Run = { Backup-KvObject -VaultUri 'prod.vault.azure.net' -AccessToken $script:Token -Path x.kva } }
        @{ Case = 'an IPv6 literal vault URI'; Id = 'KvInvalidVault'; Category = 'InvalidArgument'; Run = { Backup-KvObject -VaultUri "https://[::1]:$($script:Server.Port)/" -AccessToken $script:Token -Path x.kva } }
        @{ Case = 'an IPv4 literal vault URI'; Id = 'KvInvalidVault'; Category = 'InvalidArgument'; Run = { Get-KvObject -VaultUri "https://127.0.0.1:$($script:Server.Port)/" -AccessToken $script:Token } }
        @{ Case = 'a folder as Test -Path'; Id = 'KvArchivePathInvalid'; Category = 'InvalidArgument'; Run = { Test-KvArchive -Path sub } }
        @{ Case = 'a folder as Get-KvArchiveItem -Path'; Id = 'KvArchivePathInvalid'; Category = 'InvalidArgument'; Run = { Get-KvArchiveItem -Path sub } }
        @{ Case = 'a folder as Restore -Path'; Id = 'KvArchivePathInvalid'; Category = 'InvalidArgument'; Run = { Restore-KvObject @kv -Path sub } }
        @{ Case = 'a folder as Restore -LiteralPath'; Id = 'KvArchivePathInvalid'; Category = 'InvalidArgument'; Run = { Restore-KvObject @kv -LiteralPath sub } }
        @{ Case = 'an ambiguous wildcard as Backup -Path'; Id = 'KvArchivePathInvalid'; Category = 'InvalidArgument'; Run = { Backup-KvObject @kv -Path 'two*.kva' } }
        @{ Case = 'a wildcard matching nothing as Backup -Path'; Id = 'KvArchivePathInvalid'; Category = 'InvalidArgument'; Run = { Backup-KvObject @kv -Path 'new[1].kva' } }
        @{ Case = 'a wildcard matching nothing as Test -Path'; Id = 'KvArchiveNotFound'; Category = 'ObjectNotFound'; Run = { Test-KvArchive -Path 'none*.kva' } }
    ) {
        $e = Get-FirstError $Run
        $e | Should -Not -BeNullOrEmpty
        $e.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $e.CategoryInfo.Category | Should -Be $Category
        $e.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        $e.Exception | Should -BeOfType KvArchive.Engine.Vault.KvException
    }

    It '-LiteralPath writes and reads a name with wildcard characters; -Path expands wildcards where a file is read' {
        Set-KvSecret @kv -Name lit -SecretValue $script:Value
        Backup-KvObject @kv -Type Secret -LiteralPath 'b[1].kva'
        Test-Path -LiteralPath (Join-Path $folder 'b[1].kva') | Should -BeTrue
        (Test-KvArchive -LiteralPath 'b[1].kva').IsValid | Should -BeTrue
        (Get-KvArchiveItem -LiteralPath 'b[1].kva').Name | Should -Be 'lit'
        (Test-KvArchive -Path 'b?1?.kva').IsValid | Should -BeTrue
        # Backup -Path accepts a pattern that names exactly one existing file (replaced with -Force).
        Backup-KvObject @kv -Type Secret -Path 'b?1?.kva' -Force
        @(Get-ChildItem -Force $folder -Filter 'b*').Count | Should -Be 1
    }
}
