#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.7' }
# The words users read in errors: every error id has a recommended action, and no message (the engine's strings,
# the module's, the recommended actions) sends anyone to a parameter that no cmdlet has.

BeforeAll {
    Set-StrictMode -Version Latest
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'KvArchive.TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $null = Get-Command Get-KvObject -Syntax   # loads the engine

    $script:Cmdlets = ((Get-Module KvArchive).ImplementingAssembly)
    $script:Engine = ('KvArchive.Engine.Vault.KvObject' -as [type]).Assembly
    $script:Actions = $script:Cmdlets.GetType('KvArchive.Hosting.KvRecommendedActions', $true).GetMethod('For', [type[]] @([string]))

    # Every literal string an assembly holds (the #US heap): messages, interpolation fragments, resources alike.
    function Get-AssemblyString([string] $Path) {
        $stream = [IO.File]::OpenRead($Path)
        try {
            $pe = [System.Reflection.PortableExecutable.PEReader]::new($stream)
            $reader = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
            $handle = [System.Reflection.Metadata.Ecma335.MetadataTokens]::UserStringHandle(1)
            while (-not $handle.IsNil) {
                $reader.GetUserString($handle)
                $handle = [System.Reflection.Metadata.Ecma335.MetadataReaderExtensions]::GetNextHandle($reader, $handle)
            }
        }
        finally { $stream.Dispose() }
    }

    # "-Force", "-TrustedCertificatePath": a dash that starts a word, then a capitalised name.
    function Get-ParameterMention([string[]] $Text) {
        foreach ($t in $Text) { [regex]::Matches($t, '(?<![\w-])-([A-Z][A-Za-z]+)\b') | ForEach-Object { $_.Groups[1].Value } }
    }

    $common = @([System.Management.Automation.Cmdlet]::CommonParameters) + @([System.Management.Automation.Cmdlet]::OptionalCommonParameters)
    # The module's cmdlets, and Get-Help, which the recommended actions point to.
    $commands = @(Get-Command -Module KvArchive) + @(Get-Command Microsoft.PowerShell.Core\Get-Help)
    $script:Known = @($common) + @($commands | ForEach-Object { $_.Parameters.Values } | ForEach-Object { $_.Name; $_.Aliases }) | Sort-Object -Unique
    $script:ErrorIds = @($script:Engine.GetType('KvArchive.Engine.Vault.KvErrorIds', $true).GetFields() | Where-Object IsLiteral | ForEach-Object { $_.GetRawConstantValue() })
}

AfterAll {
    Remove-Module KvArchive -ErrorAction SilentlyContinue
}

Describe 'Error messages' -Tag 'Errors', 'Messages' {
    It 'gives every error id its own recommended action' {
        $script:ErrorIds.Count | Should -BeGreaterThan 20
        $fallback = $script:Actions.Invoke($null, [object[]] @('NoSuchId'))
        $missing = $script:ErrorIds | Where-Object { $script:Actions.Invoke($null, [object[]] @([string] $_)) -eq $fallback }
        $missing | Should -BeNullOrEmpty -Because 'an id added to KvErrorIds needs a RecommendedAction in KvRecommendedActions'
    }

    It 'names no parameter at all in KvArchive.Engine.dll (the engine raises ids and facts)' {
        Get-ParameterMention (Get-AssemblyString $script:Engine.Location) | Sort-Object -Unique |
            Should -BeNullOrEmpty -Because 'the module words the remedy in KvRecommendedActions'
    }

    It 'names only parameters that a cmdlet has, in KvArchive.dll (messages and recommended actions)' {
        $mentions = Get-ParameterMention (Get-AssemblyString $script:Cmdlets.Location) | Sort-Object -Unique
        $mentions | Should -Not -BeNullOrEmpty
        $mentions | Where-Object { $_ -notin $script:Known } | Should -BeNullOrEmpty
    }

    It 'finds a parameter that does not exist (the check itself)' {
        Get-ParameterMention 'set $env:X (or -TrustedCertificatePath) to the file; add -Force' | Where-Object { $_ -notin $script:Known } |
            Should -Be 'TrustedCertificatePath'
    }

    It 'keeps the engine''s connection and vault messages free of cmdlet words' {
        # These are the engine's own (Connection/, Vault/, Archive/): facts only, the module words the remedy.
        $words = Get-AssemblyString $script:Engine.Location | Where-Object { $_ -match '(?<![\w-])-(TenantId|Credential|AccessToken|ManagedIdentityClientId|CredentialKind|Force|ThrottleLimit|Enabled|Tag|InRemovedState|IncludeVersions|Purge|TrustedCertificatePath)\b|Update-KvObject|Remove-KvObject|Test-KvArchive' }
        $words | Should -BeNullOrEmpty
    }
}

Describe 'Recommended actions on error records' -Tag 'Errors', 'LocalVault' {
    BeforeAll {
        $script:Server = Start-TestLocalVault
        $script:Token = New-TestToken -Server $script:Server
        $vault = New-TestVault -Server $script:Server
        $kv = @{ VaultUri = $vault; AccessToken = $script:Token }
    }

    AfterAll {
        if ($script:Server) { Stop-TestLocalVault -Server $script:Server }
    }

    It 'words the next step of a missing object, a bad token and an existing archive' {
        $err = $null
        Get-KvSecret @kv -Name ghost -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'Get-KvObject'

        Set-KvSecret @kv -Name off -SecretValue (ConvertTo-SecureString 'v' -AsPlainText -Force) -Disabled
        $err = $null
        Get-KvSecret @kv -Name off -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KvSecretDisabled*'
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'Update-KvObject .*-Enabled \$true'

        $bad = ConvertTo-SecureString 'not-a-token' -AsPlainText -Force
        $caught = $null
        try { Get-KvObject -VaultUri $vault -AccessToken $bad } catch { $caught = $_ }
        $caught.ErrorDetails.RecommendedAction | Should -Match '-AccessToken'
        $caught.Exception.Message | Should -Not -Match '-AccessToken'

        $archive = Join-Path $TestDrive 'exists.kva'
        Set-Content -Path $archive -Value 'x'
        $caught = $null
        try { Backup-KvObject @kv -Path $archive } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -BeLike 'KvArchiveExists*'
        $caught.ErrorDetails.RecommendedAction | Should -Match '-Force'
    }

    It 'shows the recommended action in the console view of an error' {
        $text = Get-KvSecret @kv -Name ghost -ErrorAction Continue 2>&1 | Out-String
        $text | Should -Match 'ghost'
        $text | Should -Match 'Recommendation: Check the name'
    }

    It 'prints no stack trace or build path for a terminating error' {
        $caught = $null
        try { Get-KvObject -VaultName 'no_such vault!' } catch { $caught = $_ }
        $shown = $caught | Out-String
        $shown | Should -Not -Match '\bat KvArchive\.|\.cs:line'
        Get-ChildItem (Split-Path (Get-TestModuleManifest)) -Recurse -Filter *.pdb | Should -BeNullOrEmpty
    }
}
