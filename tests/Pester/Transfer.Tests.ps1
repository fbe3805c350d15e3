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

    It 'backs up piped objects with one request each, and lists versions only with -RecordVersions' {
        $source = New-TestVault -Server $script:Server
        $null = Invoke-TestSeed -Server $script:Server -VaultUri $source -Seed @{ secrets = 100; versions = 2; prefix = 'one' }
        # The listing records an object unambiguously once the second of its last update is over (with a margin).
        Start-Sleep -Seconds 4
        $name = $source.Host.Split('.')[0]
        $archive = Join-Path $TestDrive 'one.kva'
        $null = Invoke-LocalVaultManagement -Server $script:Server -Method Delete -Path "vaults/$name/stats"
        $saved = Get-KvObject -VaultUri $source -AccessToken $script:Token -Type Secret | Backup-KvObject -Path $archive -AccessToken $script:Token
        @($saved | Where-Object Status -eq 'Saved').Count | Should -Be 100
        $stats = Get-TestVaultStats -Server $script:Server -VaultUri $source
        $answered = $stats.requests - $(if ($stats.byStatus.PSObject.Properties['401']) { $stats.byStatus.'401' } else { 0 })
        # 100 backups, 4 pages of Get-KvObject's listing, 4 of the change check (plus a page's worth of objects the
        # check passed before their backup answered, which have their versions listed).
        $answered | Should -BeGreaterOrEqual 108
        $answered | Should -BeLessOrEqual (108 + 25)

        $null = Invoke-LocalVaultManagement -Server $script:Server -Method Delete -Path "vaults/$name/stats"
        $recorded = Get-KvObject -VaultUri $source -AccessToken $script:Token -Type Secret | Backup-KvObject -Path $archive -AccessToken $script:Token -RecordVersions -Force
        @($recorded | Where-Object Versions -eq 2).Count | Should -Be 100
        (Get-KvArchiveItem -Path $archive | Where-Object { $_.Versions.Count -eq 2 }).Count | Should -Be 100
        $stats = Get-TestVaultStats -Server $script:Server -VaultUri $source
        ($stats.requests - $(if ($stats.byStatus.PSObject.Properties['401']) { $stats.byStatus.'401' } else { 0 })) | Should -BeGreaterOrEqual 208
    }

    It 'shows the plan with -WhatIf and follows the conflict policies' {
        $source = New-TestVault -Server $script:Server
        $target = New-TestVault -Server $script:Server
        $archive = Join-Path $TestDrive 'conflicts.kva'
        'free', 'live', 'gone' | ForEach-Object { Set-KvSecret -VaultUri $source -AccessToken $script:Token -Name $_ -SecretValue $script:Value }
        Backup-KvObject -VaultUri $source -AccessToken $script:Token -Path $archive | Out-Null
        'live', 'gone' | ForEach-Object { Set-KvSecret -VaultUri $target -AccessToken $script:Token -Name $_ -SecretValue $script:Value }
        Remove-KvObject -VaultUri $target -AccessToken $script:Token -Type Secret -Name gone -Force

        # The plan: future tense, input order, no error (nothing was tried), the totals after it.
        $planErrors = $null
        $plan = Restore-KvObject -Path $archive -VaultUri $target -AccessToken $script:Token -WhatIf -ErrorVariable planErrors -InformationVariable totals 6>$null
        $plan.Name | Should -Be (Get-KvArchiveItem -Path $archive).Name
        $plan.Status | Sort-Object -Unique | Should -Be 'Planned'
        ($plan | Where-Object Name -eq 'free').Reason | Should -Be 'would restore'
        ($plan | Where-Object Name -eq 'live').Reason | Should -Be 'would skip: exists'
        ($plan | Where-Object Name -eq 'gone').Reason | Should -Be 'would fail: soft-deleted'
        $planErrors | Should -BeNullOrEmpty
        "$totals" | Should -BeLike 'Restore plan for 3 entries (3 secrets): 1 would restore, 0 would purge and restore, 1 would skip, 1 would fail; nothing was changed.*'
        $totals.MessageData.WhatIf | Should -BeTrue
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
        $purged.TargetState | Should -Be 'SoftDeleted' -Because 'the record says what was there before the purge'
        ($purged | Format-Table | Out-String -Width 120) | Should -Match 'SoftDeleted'
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

Describe 'The end of a run' -Tag 'Transfer', 'Summary', 'LocalVault' {
    BeforeAll {
        $script:Source = New-TestVault -Server $script:Server
        $null = Invoke-TestSeed -Server $script:Server -VaultUri $script:Source -Seed @{ secrets = 6; keys = 2; versions = 1; prefix = 'end' }
    }

    It 'writes the records as output and the summary after them on the information stream' {
        $archive = Join-Path $TestDrive 'end.kva'
        $records = Backup-KvObject -VaultUri $script:Source -AccessToken $script:Token -Path $archive -InformationVariable run 6>$null
        @($records).Count | Should -Be 8
        $records | Should -BeOfType ([KvArchive.Engine.Transfer.BackupRecord])
        $run.Tags | Should -Contain 'KvArchive.Summary'
        $summary = $run.MessageData
        $summary | Should -BeOfType ([KvArchive.Engine.Transfer.BackupSummary])
        $summary.IsComplete | Should -BeTrue
        $summary.Saved | Should -Be 8
        $summary.Path | Should -Be (Resolve-Path $archive).Path
        ($summary.Counts | Where-Object Type -eq 'Secret').Count | Should -Be 6
        $summary.Requests | Should -BeGreaterThan 8
        $summary.Seconds | Should -BeGreaterOrEqual 0
        # The summary's own short table fits a console of 80 columns.
        ($summary | Format-Table | Out-String -Width 80) -split "`r?`n" | Where-Object Length -gt 80 | Should -BeNullOrEmpty

        $restored = Restore-KvObject -Path $archive -VaultUri (New-TestVault -Server $script:Server) -AccessToken $script:Token -InformationVariable back 6>$null
        @($restored).Count | Should -Be 8
        $back.MessageData | Should -BeOfType ([KvArchive.Engine.Transfer.RestoreSummary])
        $back.MessageData.IsComplete | Should -BeTrue
        $back.MessageData.Restored | Should -Be 8
    }

    It 'is incomplete, and $? false, when a name asked for is not there' {
        $archive = Join-Path $TestDrive 'missing.kva'
        $failures = $null
        $null = Backup-KvObject -VaultUri $script:Source -AccessToken $script:Token -Type Secret -Name 'end*', 'no-such-secret' -Path $archive -InformationVariable run -ErrorVariable failures -ErrorAction SilentlyContinue 6>$null
        $ok = $?
        $ok | Should -BeFalse
        @($failures).Count | Should -Be 1
        $run.MessageData.IsComplete | Should -BeFalse
        $run.MessageData.Errors | Should -Be 1
        "$run" | Should -BeLike 'Backup INCOMPLETE:*'
    }

    It 'comes last, on stream 6: merged it is the last object, dropped the records are untouched' {
        $archive = Join-Path $TestDrive 'quiet.kva'
        $all = Backup-KvObject -VaultUri $script:Source -AccessToken $script:Token -Path $archive 6>&1
        @($all).Count | Should -Be 9
        $all[-1] | Should -BeOfType ([System.Management.Automation.InformationRecord])
        $all[-1].MessageData | Should -BeOfType ([KvArchive.Engine.Transfer.BackupSummary])
        $all[0..7] | Should -BeOfType ([KvArchive.Engine.Transfer.BackupRecord])
        @(Backup-KvObject -VaultUri $script:Source -AccessToken $script:Token -Path $archive -Force 6>$null).Count | Should -Be 8
    }
}
