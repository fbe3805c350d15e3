#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests and packages KvArchive. A thin layer over dotnet: everything it does can be done without it.
.DESCRIPTION
    Build    dotnet build: lays out the importable module at out/KvArchive (manifest, cmdlets, Dependencies/,
             format file, MAML help, about topics).
    Test     dotnet test of the solution (xunit, including the module tests that host PowerShell), then the
             Pester suites in tests/Pester with Pester 5.7.1 (fetched from the configured NuGet source into
             out/tools/Modules when it is not installed). Writes out/test-results/: pester.xml (NUnit) and
             pester-summary.json ({ passed, failed, skipped }), which CI adds to its total. Fails when any test
             failed.
    Package  dotnet pack src/KvArchive -c Release -o out/package: builds Release and writes
             out/package/KvArchive.<version>.nupkg, a PowerShell Gallery package of the module (see
             src/KvArchive/KvArchive.Package.targets); publish it with Publish-PSResource -NupkgPath.
.EXAMPLE
    ./build.ps1 -Task Build
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 -Task Test

    On a machine with only the .NET SDK: PowerShell 7.6.9 comes from the repository's tool manifest.
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
$resultsDir = Join-Path $root 'out' 'test-results'
$pesterVersion = [version] '5.7.1'

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

function Get-TestPester {
    # The pinned Pester: an installed copy of that exact version, else the one fetched into out/tools/Modules.
    $installed = Get-Module -ListAvailable -Name Pester | Where-Object Version -eq $pesterVersion | Select-Object -First 1
    if ($installed) { return $installed.Path }

    $modules = Join-Path $root 'out' 'tools' 'Modules'
    $manifest = Join-Path $modules 'Pester' $pesterVersion 'Pester.psd1'
    if (Test-Path $manifest) { return $manifest }

    # The Pester package keeps the module under tools/. A throwaway project downloads it with dotnet's own NuGet
    # configuration (sources, credentials, mirror), so nothing is registered anywhere.
    $work = Join-Path $root 'out' 'tools' 'pester-download'
    New-Item -ItemType Directory -Path $work -Force | Out-Null
    $project = Join-Path $work 'PesterDownload.proj'
    Set-Content -Path $project -Value @"
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="Pester" Version="[$pesterVersion]" /></ItemGroup>
</Project>
"@
    $packages = Join-Path $work 'packages'
    Invoke-Dotnet restore $project '--packages' $packages '-p:ImportDirectoryBuildProps=false' '-p:ImportDirectoryPackagesProps=false' '--verbosity' 'quiet'
    $tools = Join-Path $packages 'pester' $pesterVersion 'tools'
    if (-not (Test-Path (Join-Path $tools 'Pester.psd1'))) { throw "The Pester $pesterVersion package has no tools/Pester.psd1 at $tools." }
    New-Item -ItemType Directory -Path (Split-Path $manifest) -Force | Out-Null
    Copy-Item -Path (Join-Path $tools '*') -Destination (Split-Path $manifest) -Recurse -Force
    Write-Host "Pester $pesterVersion saved to $(Split-Path $manifest)"
    $manifest
}

function Invoke-Test {
    # Both suites run even when the first fails, so one run reports every failure.
    Write-Host "dotnet test KvArchive.sln -c $Configuration" -ForegroundColor Cyan
    & dotnet test (Join-Path $root 'KvArchive.sln') -c $Configuration
    $xunitExit = $LASTEXITCODE

    Import-Module (Get-TestPester) -Force
    New-Item -ItemType Directory -Path $resultsDir -Force | Out-Null
    $config = New-PesterConfiguration
    $config.Run.Path = Join-Path $root 'tests' 'Pester'
    $config.Run.Exit = $false
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputFormat = 'NUnitXml'
    $config.TestResult.OutputPath = Join-Path $resultsDir 'pester.xml'
    $env:KVARCHIVE_CONFIGURATION = $Configuration
    $result = Invoke-Pester -Configuration $config

    # A failed BeforeAll or a file that does not parse fails no test by itself: count it as a failure.
    $failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    $summary = [ordered]@{ passed = $result.PassedCount; failed = $failed; skipped = $result.SkippedCount + $result.NotRunCount }
    $summary | ConvertTo-Json | Set-Content -Path (Join-Path $resultsDir 'pester-summary.json')
    Write-Host "Pester: $($summary.passed) passed, $($summary.failed) failed, $($summary.skipped) skipped"

    $problems = @()
    if ($xunitExit -ne 0) { $problems += "dotnet test failed with exit code $xunitExit" }
    if ($failed -gt 0) { $problems += "$failed Pester test(s) or block(s) failed" }
    if ($summary.skipped -gt 0) { $problems += "$($summary.skipped) Pester test(s) did not run" }
    if ($problems) { throw ($problems -join '; ') + '.' }
}

function Invoke-Package {
    # '--output', not -o: an advanced function would take -o for the ambiguous -OutVariable/-OutBuffer.
    Invoke-Dotnet pack (Join-Path $root 'src' 'KvArchive') -c Release '--output' (Join-Path $root 'out' 'package')
}

foreach ($t in $Task) {
    & "Invoke-$t"
}
