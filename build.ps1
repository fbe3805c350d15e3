#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests and packages KvArchive. A thin layer over dotnet: everything it does can be done without it.
.DESCRIPTION
    Build    dotnet build: lays out the importable module at out/KvArchive (manifest, cmdlets, Dependencies/,
             format file, MAML help, about topics).
    Test     dotnet test of the solution (xunit, including the module tests that host PowerShell), then the
             Pester suites in tests/Pester when Pester 5 is installed.
    Package  dotnet pack src/KvArchive -c Release -o out/package: builds Release and writes
             out/package/KvArchive.<version>.nupkg, a PowerShell Gallery package of the module (see
             src/KvArchive/KvArchive.Package.targets); publish it with Publish-PSResource -NupkgPath.
.EXAMPLE
    ./build.ps1 -Task Build
.EXAMPLE
    ./build.ps1 -Task Test -Configuration Release
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$moduleDir = Join-Path $root 'out' 'KvArchive'

function Invoke-Dotnet {
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    Write-Host "dotnet $($Arguments -join ' ')" -ForegroundColor Cyan
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($Arguments[0]) failed with exit code $LASTEXITCODE." }
}

function Invoke-Build {
    Invoke-Dotnet build (Join-Path $root 'KvArchive.sln') -c $Configuration
    $manifest = Test-ModuleManifest -Path (Join-Path $moduleDir 'KvArchive.psd1')
    Write-Host "KvArchive $($manifest.Version) laid out at $moduleDir"
}

function Invoke-Test {
    Invoke-Dotnet test (Join-Path $root 'KvArchive.sln') -c $Configuration
    $pester = Get-Module -ListAvailable -Name Pester | Where-Object Version -ge ([version]'5.0') | Sort-Object Version -Descending | Select-Object -First 1
    if (-not $pester) {
        Write-Warning 'Pester 5 is not installed: skipping tests/Pester (Install-PSResource Pester).'
        return
    }

    Import-Module $pester
    $config = New-PesterConfiguration
    $config.Run.Path = Join-Path $root 'tests' 'Pester'
    $config.Run.Exit = $false
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $env:KVARCHIVE_CONFIGURATION = $Configuration
    $result = Invoke-Pester -Configuration $config
    if ($result.FailedCount -gt 0) { throw "$($result.FailedCount) Pester test(s) failed." }
}

function Invoke-Package {
    # '--output', not -o: an advanced function would take -o for the ambiguous -OutVariable/-OutBuffer.
    Invoke-Dotnet pack (Join-Path $root 'src' 'KvArchive') -c Release '--output' (Join-Path $root 'out' 'package')
}

foreach ($t in $Task) {
    & "Invoke-$t"
}
