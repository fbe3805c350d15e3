#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.7' }
# What users carry over from Az.KeyVault and from PowerShell itself: output types they can name, -VaultName and
# -Name by position, Az's parameter names, and Tab completion of -Name and -Type.

BeforeAll {
    Set-StrictMode -Version Latest
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'KvArchive.TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Server = Start-TestLocalVault
    $script:Token = New-TestToken -Server $script:Server
    $script:Value = ConvertTo-SecureString 'v' -AsPlainText -Force
    $script:VaultCmdlets = @(Get-Command -Module KvArchive | Where-Object { $_.Parameters.ContainsKey('VaultName') })

    function Complete([string] $Line) {
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches | ForEach-Object CompletionText)
    }
}

AfterAll {
    if ($script:Server) { Stop-TestLocalVault -Server $script:Server }
    Remove-Module KvArchive -ErrorAction SilentlyContinue
}

Describe 'Output types by name' -Tag 'Types', 'LocalVault' {
    BeforeAll {
        $vault = New-TestVault -Server $script:Server
        $kv = @{ VaultUri = $vault; AccessToken = $script:Token }
        Set-KvSecret @kv -Name db-password -SecretValue $script:Value
    }

    It 'resolves every type a cmdlet declares in [OutputType]' {
        $declared = Get-Command -Module KvArchive | ForEach-Object { $_.OutputType.Name } | Sort-Object -Unique
        $declared | Should -Contain 'KvArchive.Engine.Vault.KvObject'
        $declared | Where-Object { -not ($_ -as [type]) } | Should -BeNullOrEmpty
    }

    It 'works with Should -BeOfType, -is and typed parameters' {
        Get-KvObject @kv -Name db-password | Should -BeOfType KvArchive.Engine.Vault.KvObject
        Get-KvSecret @kv -Name db-password | Should -BeOfType ([KvArchive.Engine.Vault.KvSecretValue])
        (Get-KvObject @kv -Name db-password) -is [KvArchive.Engine.Vault.KvObject] | Should -BeTrue
        [KvArchive.Engine.Vault.KvObjectType]::Secret | Should -Be 'Secret'
        function Get-TypedName([KvArchive.Engine.Vault.KvObject] $Item) { $Item.Name }
        Get-TypedName (Get-KvObject @kv -Name db-password) | Should -Be 'db-password'
    }

    It 'names the transfer and archive types' {
        $archive = Join-Path $TestDrive 'types.kva'
        Get-KvObject @kv | Backup-KvObject -Path $archive -AccessToken $script:Token | Should -BeOfType KvArchive.Engine.Transfer.BackupRecord
        Test-KvArchive -Path $archive | Should -BeOfType KvArchive.Engine.Archive.ArchiveVerification
        Get-KvArchiveItem -Path $archive | Should -BeOfType KvArchive.Engine.Archive.ArchiveItem
        $target = New-TestVault -Server $script:Server
        Restore-KvObject -Path $archive -VaultUri $target -AccessToken $script:Token | Should -BeOfType KvArchive.Engine.Transfer.RestoreRecord
    }

    It 'keeps the engine in its own load context all the same' {
        $type = 'KvArchive.Engine.Vault.KvObject' -as [type]
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($type.Assembly) |
            Should -Not -Be ([System.Runtime.Loader.AssemblyLoadContext]::Default)
    }
}

Describe 'Az.KeyVault habits' -Tag 'Compatibility', 'LocalVault' {
    BeforeAll {
        $vault = New-TestVault -Server $script:Server
        $kv = @{ VaultUri = $vault; AccessToken = $script:Token }
    }

    It 'puts -VaultName at position 0 and -Name at position 1 on <Name>' -ForEach @(
        Get-Command -Module KvArchive | Where-Object { $_.Parameters.ContainsKey('VaultName') } | ForEach-Object { @{ Name = $_.Name; Command = $_ } }
    ) {
        foreach ($set in $Command.ParameterSets) {
            ($set.Parameters | Where-Object Name -eq 'VaultName').Position | Should -Be 0 -Because "$Name ($($set.Name))"
            $nameParameter = $set.Parameters | Where-Object Name -eq 'Name'
            # Backup-KvObject and Restore-KvObject take the archive -Path at 1 (Restore-AzKeyVaultSecret's -InputFile is at 1 too).
            if ($nameParameter -and $Name -notin 'Backup-KvObject', 'Restore-KvObject') {
                $nameParameter.Position | Should -Be 1 -Because "$Name ($($set.Name))"
            }
        }
    }

    It 'binds Get-KvSecret prod db-password positionally' {
        # A public-cloud name cannot reach LocalVault; an invalid one shows which parameter the first word bound to.
        $caught = $null
        try { Get-KvSecret 'not_a vault' db-password -AccessToken $script:Token } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -BeLike 'KvInvalidVault*'
        $caught.Exception.Message | Should -Match "'not_a vault' is not a valid vault name"
        $caught.TargetObject | Should -Be 'not_a vault'
        # The first word is the vault, as in Az; with -VaultUri, name -Name too (a lone word would bind to -VaultName).
        Set-KvSecret @kv -Name db-password -SecretValue $script:Value
        Get-KvSecret -VaultUri $vault -Name db-password -AccessToken $script:Token -AsPlainText | Should -Be 'v'
    }

    It 'takes Az''s parameter names: -Disable, -Expires, -Enable, -CurveName, -OutputFile, -InputFile' {
        $expires = [datetime]::new(2030, 1, 1, 0, 0, 0, [DateTimeKind]::Utc)
        $secret = Set-KvSecret @kv -Name az-style -SecretValue $script:Value -Disable -Expires $expires -PassThru
        $secret.Enabled | Should -BeFalse
        $secret.ExpiresOn.UtcDateTime | Should -Be $expires
        (Update-KvObject @kv -Type Secret -Name az-style -Enable $true -PassThru).Enabled | Should -BeTrue
        $key = New-KvKey @kv -Name az-key -KeyType EC -CurveName P-384 -Disable
        $key.CurveName | Should -Be 'P-384'
        $key.Enabled | Should -BeFalse

        $archive = Join-Path $TestDrive 'az.kva'
        $null = Backup-KvObject @kv -OutputFile $archive
        $target = New-TestVault -Server $script:Server
        @(Restore-KvObject -InputFile $archive -VaultUri $target -AccessToken $script:Token | Where-Object Status -eq 'Restored').Count | Should -Be 3
    }

    It 'says in help that one of -VaultName and -VaultUri is needed' {
        foreach ($parameter in 'VaultName', 'VaultUri') {
            (Get-Help Get-KvObject -Parameter $parameter).description.Text -join '' | Should -Match 'one of -VaultName and -VaultUri'
        }
    }
}

Describe 'Tab completion' -Tag 'Completion', 'LocalVault' {
    BeforeAll {
        $vault = New-TestVault -Server $script:Server
        $kv = @{ VaultUri = $vault; AccessToken = $script:Token }
        foreach ($name in 'db-password', 'db-user', 'web-key') { Set-KvSecret @kv -Name $name -SecretValue $script:Value }
        $null = New-KvKey @kv -Name db-signing
        $script:Prefix = "-VaultUri '$vault' -AccessToken `$script:Token"
    }

    It 'completes -Name from the vault, for the kinds the command takes' {
        Complete "Get-KvSecret $script:Prefix -Name db" | Should -Be @('db-password', 'db-user')
        Complete "Get-KvObject $script:Prefix -Name db" | Should -Be @('db-password', 'db-signing', 'db-user')
        Complete "Remove-KvObject $script:Prefix -Type Key -Name d" | Should -Be @('db-signing')
    }

    It 'keeps the names briefly instead of listing the vault on every Tab' {
        $null = Complete "Get-KvObject $script:Prefix -Name w"
        $before = (Get-TestVaultStats -Server $script:Server -VaultUri $vault).requests
        Complete "Get-KvObject $script:Prefix -Name web" | Should -Be @('web-key')
        (Get-TestVaultStats -Server $script:Server -VaultUri $vault).requests | Should -Be $before
    }

    It 'completes removed names for Undo-KvObjectRemoval' {
        Remove-KvObject @kv -Type Secret -Name web-key -Force
        Complete "Undo-KvObjectRemoval $script:Prefix -Type Secret -Name w" | Should -Be @('web-key')
    }

    It 'completes -Name from an archive for Get-KvArchiveItem and Restore-KvObject' {
        $archive = Join-Path $TestDrive 'complete.kva'
        $null = Backup-KvObject @kv -Path $archive
        Complete "Get-KvArchiveItem -Path '$archive' -Name db-p" | Should -Be @('db-password')
        Complete "Restore-KvObject -Path '$archive' -VaultUri '$vault' -Name db-s" | Should -Be @('db-signing')
    }

    It 'completes -Type with the three kinds' {
        Complete 'Get-KvObject -Type ' | Should -Be @('Certificate', 'Key', 'Secret')
        Complete 'Remove-KvObject -Type S' | Should -Be @('Secret')
    }

    It 'completes nothing, quickly, when the command line names no vault' {
        Complete 'Get-KvSecret -Name db' | Should -BeNullOrEmpty
    }
}
