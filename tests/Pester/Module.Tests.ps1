#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.7' }
# The built module: manifest, exported commands, help for every cmdlet and parameter.

BeforeAll {
    # As PSRule's suites do: strict mode, and the preference each test relies on, set here rather than inherited
    # from the caller (build.ps1 runs with 'Stop').
    Set-StrictMode -Version Latest
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'KvArchive.TestHelpers.psm1') -Force
    $script:ManifestPath = Get-TestModuleManifest
    Import-Module $script:ManifestPath -Force
    $script:Expected = @(
        'Backup-KvObject', 'Compare-KvArchive', 'Export-KvArchiveItem', 'Get-KvArchive', 'Get-KvArchiveItem', 'Get-KvObject', 'Get-KvSecret', 'Import-KvArchiveItem', 'New-KvKey', 'Remove-KvObject',
        'Restore-KvObject', 'Set-KvSecret', 'Test-KvArchive', 'Undo-KvObjectRemoval', 'Update-KvObject'
    )
}

AfterAll {
    Remove-Module KvArchive -ErrorAction SilentlyContinue
}

Describe 'KvArchive manifest' -Tag 'Module' {
    It 'passes Test-ModuleManifest with the version from Directory.Build.props' {
        $info = Test-ModuleManifest -Path $script:ManifestPath
        [xml] $props = Get-Content (Join-Path (Get-TestRepoRoot) 'Directory.Build.props') -Raw
        $info.Version | Should -Be ([version] $props.Project.PropertyGroup.KvArchiveVersion)
        $info.RootModule | Should -Be 'KvArchive.dll'
        $info.PowerShellVersion | Should -Be ([version] '7.4')
        $info.CompatiblePSEditions | Should -Be @('Core')
        $info.RequiredAssemblies | Should -BeNullOrEmpty
        $info.ExportedFunctions.Count | Should -Be 0
        $info.ExportedAliases.Count | Should -Be 0
        $info.PrivateData.PSData.Tags | Should -Contain 'PSModule'
        $info.PrivateData.PSData.ProjectUri | Should -Not -BeNullOrEmpty
        $info.PrivateData.PSData.LicenseUri | Should -Not -BeNullOrEmpty
    }

    It 'exports exactly the documented cmdlets' {
        (Get-Command -Module KvArchive).Name | Sort-Object | Should -Be $script:Expected
    }

    It 'keeps every dependency under Dependencies/' {
        $dir = Split-Path $script:ManifestPath
        (Get-ChildItem $dir -Filter *.dll).Name | Should -Be @('KvArchive.dll')
        Join-Path $dir 'Dependencies' 'KvArchive.Engine.dll' | Should -Exist
        Join-Path $dir 'Dependencies' 'Azure.Core.dll' | Should -Exist
        Get-ChildItem $dir -Recurse -Filter System.Management.Automation.dll | Should -BeNullOrEmpty
    }

    It 'loads the engine outside the default load context' {
        $null = Get-Command Get-KvObject -Syntax
        $engine = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'KvArchive.Engine' }
        if ($engine) {
            [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($engine) |
                Should -Not -Be ([System.Runtime.Loader.AssemblyLoadContext]::Default)
        }
        [System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies.GetName().Name | Should -Not -Contain 'KvArchive.Engine'
    }
}

Describe 'KvArchive help' -Tag 'Module' {
    It '<_> has a synopsis, a description, two examples and related links' -ForEach @(
        'Backup-KvObject', 'Compare-KvArchive', 'Export-KvArchiveItem', 'Get-KvArchive', 'Get-KvArchiveItem', 'Get-KvObject', 'Get-KvSecret', 'Import-KvArchiveItem', 'New-KvKey', 'Remove-KvObject',
        'Restore-KvObject', 'Set-KvSecret', 'Test-KvArchive', 'Undo-KvObjectRemoval', 'Update-KvObject'
    ) {
        $Name = $_
        $help = Get-Help -Name $Name -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match '^\s*\w+-\w+\s+\['
        ($help.description.Text -join '') | Should -Not -BeNullOrEmpty
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
        @($help.relatedLinks.navigationLink).Count | Should -BeGreaterOrEqual 1
    }

    It 'describes every parameter of every cmdlet' {
        $common = @([System.Management.Automation.Cmdlet]::CommonParameters) + @([System.Management.Automation.Cmdlet]::OptionalCommonParameters)
        $missing = foreach ($command in Get-Command -Module KvArchive) {
            foreach ($parameter in $command.Parameters.Keys | Where-Object { $_ -notin $common }) {
                $text = (Get-Help -Name $command.Name -Parameter $parameter).description.Text -join ''
                if ([string]::IsNullOrWhiteSpace($text)) { "$($command.Name) -$parameter" }
            }
        }
        $missing | Should -BeNullOrEmpty
    }

    It 'ships the about topics' {
        Get-Help about_KvArchive | Out-String | Should -Match 'Backup-KvObject'
        Get-Help about_KvArchive_ArchiveFormat | Out-String | Should -Match 'manifest.json'
    }
}
