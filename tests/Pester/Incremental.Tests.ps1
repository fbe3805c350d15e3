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

Describe 'Resuming an interrupted backup' -Tag 'Incremental', 'LocalVault' {
    It 'continues a backup whose process was killed, without backing up again what it saved' {
        $vault = New-TestVault -Server $script:Server
        $kv = @{ VaultUri = $vault; AccessToken = $script:Token }
        $name = $vault.Host.Split('.')[0]
        $null = Invoke-TestSeed -Server $script:Server -VaultUri $vault -Seed @{ secrets = 40; versions = 1; prefix = 'killed' }
        # Times are whole seconds: a saved object is kept only when its last update was over before its backup.
        Start-Sleep -Milliseconds 2500
        $null = Invoke-LocalVaultManagement -Server $script:Server -Method Put -Path "vaults/$name/faults" -Body @{ latencyMs = 150 }
        $path = Join-Path $TestDrive 'killed.kva'

        # The backup runs in a pwsh of its own, as a runbook job would, and is killed (SIGKILL: no clean-up runs).
        $exe = [Environment]::ProcessPath
        $start = [Diagnostics.ProcessStartInfo]::new($exe)
        if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $start.ArgumentList.Add([Environment]::GetCommandLineArgs()[0]) }
        foreach ($a in '-NoProfile', '-NonInteractive', '-Command', '& { param($m, $v, $p) Import-Module $m; $t = ConvertTo-SecureString $env:KVARCHIVE_PESTER_TOKEN -AsPlainText -Force; Backup-KvObject -VaultUri $v -AccessToken $t -Path $p -ThrottleLimit 1 }', (Get-TestModuleManifest), $vault, $path) {
            $start.ArgumentList.Add([string]$a)
        }
        $start.Environment['KVARCHIVE_PESTER_TOKEN'] = [Net.NetworkCredential]::new('', $script:Token).Password
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $child = [Diagnostics.Process]::Start($start)
        $deadline = (Get-Date).AddSeconds(60)
        $leftover = $null
        while (-not $child.HasExited -and (Get-Date) -lt $deadline) {
            $leftover = Get-ChildItem -Force -LiteralPath $TestDrive -Filter '.killed.kva.*.partial' | Where-Object Length -gt 20KB
            if ($leftover) { break }
            Start-Sleep -Milliseconds 50
        }
        $child.HasExited | Should -BeFalse -Because 'the backup should still be running when it is killed'
        $child.Kill($true)
        $child.WaitForExit()
        $leftover | Should -Not -BeNullOrEmpty
        $path | Should -Not -Exist

        $null = Invoke-LocalVaultManagement -Server $script:Server -Method Delete -Path "vaults/$name/faults"
        $null = Backup-KvObject @kv -Path $path -Resume -InformationVariable run
        $summary = $run[-1].MessageData
        $summary.Copied | Should -BeGreaterThan 0
        $summary.Resumed | Should -Be $summary.Copied
        $summary.Saved | Should -BeLessThan 40
        $summary.Copied + $summary.Saved | Should -Be 40
        $summary.IsComplete | Should -BeTrue
        @(Get-ChildItem -Force -LiteralPath $TestDrive -Filter '.killed.kva.*') | Should -BeNullOrEmpty
        $check = Test-KvArchive -Path $path
        $check.IsComplete | Should -BeTrue
        $check.SavedCount | Should -Be 40
    }

    It 'warns when a new run without -Resume starts over' {
        $vault = New-TestVault -Server $script:Server
        $kv = @{ VaultUri = $vault; AccessToken = $script:Token }
        $null = Invoke-TestSeed -Server $script:Server -VaultUri $vault -Seed @{ secrets = 3; versions = 1; prefix = 'over' }
        $path = Join-Path $TestDrive 'over.kva'
        $null = Backup-KvObject @kv -Path $path
        # What a killed run leaves: its temporary file holding saved objects (here: a finished archive's bytes).
        Copy-Item -LiteralPath $path -Destination (Join-Path $TestDrive ('.over.kva.{0}.partial' -f [guid]::NewGuid().ToString('N')))

        $null = Backup-KvObject @kv -Path $path -Force -WarningVariable warned -WarningAction SilentlyContinue
        "$warned" | Should -Match 'had saved 3 object'
        "$warned" | Should -Match 'resumed run'
        @(Get-ChildItem -Force -LiteralPath $TestDrive -Filter '.over.kva.*') | Should -BeNullOrEmpty
    }
}
