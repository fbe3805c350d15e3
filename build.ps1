#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests and packages KvArchive. A thin layer over dotnet: everything it does can be done without it.
.DESCRIPTION
    Build    dotnet build: lays out the importable module at out/KvArchive (manifest, cmdlets, Dependencies/,
             format file, MAML help, about topics).
    Test     dotnet test of the solution (xunit, including the module tests that host PowerShell), then the
             Pester suites in tests/Pester when Pester 5 is installed.
    Package  builds Release and writes out/KvArchive.<version>.nupkg (a PowerShell Gallery package) with
             Publish-PSResource's -NupkgOnly equivalent when PSResourceGet is present, else a zip of the layout.
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
    Invoke-Dotnet build (Join-Path $root 'src' 'KvArchive') -c Release
    $version = (Test-ModuleManifest -Path (Join-Path $moduleDir 'KvArchive.psd1')).Version
    $packages = Join-Path $root 'out' 'packages'
    New-Item -ItemType Directory -Path $packages -Force | Out-Null
    if (Get-Command -Name Publish-PSResource -ErrorAction SilentlyContinue) {
        $repository = "KvArchiveLocal-$PID"
        Register-PSResourceRepository -Name $repository -Uri $packages -Trusted
        try {
            Publish-PSResource -Path $moduleDir -Repository $repository
        }
        finally {
            Unregister-PSResourceRepository -Name $repository
        }
        Write-Host "Package: $(Join-Path $packages "KvArchive.$version.nupkg")"
    }
    else {
        $zip = Join-Path $packages "KvArchive.$version.zip"
        Compress-Archive -Path $moduleDir -DestinationPath $zip -Force
        Write-Host "PSResourceGet is not available; wrote $zip (extract into a folder on `$env:PSModulePath)."
    }
}

foreach ($t in $Task) {
    & "Invoke-$t"
}
