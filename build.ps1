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
    Package  dotnet pack -c Release -o out/package of src/KvArchive, src/KvArchive.LocalVault.Module and
             src/KvArchive.LocalVault: builds Release and writes out/package/KvArchive.<version>.nupkg and
             KvArchive.LocalVault.<version>.nupkg, PowerShell Gallery packages of the module and of its companion
             script module (see src/KvArchive/KvArchive.Package.targets; publish them with Publish-PSResource
             -NupkgPath), and KvArchive.LocalVault.Tool.<version>.nupkg, LocalVault as a .NET tool.
    TestInstalled
             The example Pester suites (examples/*.Tests.ps1) against the *installed* packages, as a user runs
             them: installs the tool from out/package into a temporary tool path (dotnet tool install), saves
             both modules from out/package into a temporary module folder (PSResourceGet), then runs the suites
             in a clean pwsh -NoProfile whose PSModulePath holds only that folder and Pester, and whose PATH
             finds that tool. Packs first when out/package lacks this version's packages (otherwise it uses them:
             run -Task Package, TestInstalled to repack). Writes out/test-results/installed.json
             ({"passed":N,"failed":N,...}) and installed.xml (JUnit).
.EXAMPLE
    ./build.ps1 -Task Build
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 -Task Test

    On a machine with only the .NET SDK: PowerShell 7.6.9 comes from the repository's tool manifest.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'TestInstalled')]
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
    # Build first: 'dotnet test' of a solution builds only what the test projects reference, and the Pester suites
    # need every layout (out/KvArchive, and the companion module's out/KvArchive.LocalVault).
    Invoke-Build
    Write-Host "dotnet test KvArchive.sln -c $Configuration --no-build" -ForegroundColor Cyan
    & dotnet test (Join-Path $root 'KvArchive.sln') -c $Configuration --no-build
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
    foreach ($project in 'KvArchive', 'KvArchive.LocalVault.Module', 'KvArchive.LocalVault') {
        Invoke-Dotnet pack (Join-Path $root 'src' $project) -c Release '--output' (Join-Path $root 'out' 'package')
    }
}

# Runs in the clean pwsh of TestInstalled (written to a file there). It checks that KvArchive, KvArchive.LocalVault
# and the localvault tool all come from the installation, never from the source tree, then runs the suites.
$installedSuiteRunner = {
    param([string] $SuiteDirectory, [string] $InstallRoot, [string] $ResultPath)
    # No strict mode: the suites run as a user's would, in PowerShell's defaults.
    $ErrorActionPreference = 'Stop'
    $kvArchive = Import-Module KvArchive -PassThru
    $companion = Import-Module KvArchive.LocalVault -PassThru
    $tool = Get-Command -Name localvault -CommandType Application | Select-Object -First 1
    foreach ($installed in @($kvArchive.ModuleBase, $companion.ModuleBase, $tool.Source)) {
        if (-not ([IO.Path]::GetFullPath($installed)).StartsWith($InstallRoot, [StringComparison]::Ordinal)) {
            throw "$installed is not under the installation folder $InstallRoot."
        }
    }
    Write-Host "KvArchive $($kvArchive.Version) from $($kvArchive.ModuleBase)"
    Write-Host "KvArchive.LocalVault $($companion.Version) from $($companion.ModuleBase)"
    Write-Host "localvault from $($tool.Source)"

    Import-Module Pester -MinimumVersion 5.0
    $config = New-PesterConfiguration
    $config.Run.Path = $SuiteDirectory
    $config.Run.Exit = $false
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputFormat = 'JUnitXml'
    $config.TestResult.OutputPath = [IO.Path]::ChangeExtension($ResultPath, '.xml')
    $result = Invoke-Pester -Configuration $config

    # A suite file that fails before any test (a broken BeforeAll at file level, a parse error) is a failed
    # container with no failed test: it counts as a failure too.
    $summary = [ordered]@{
        suite           = 'examples (installed packages)'
        passed          = $result.PassedCount
        failed          = $result.FailedCount + $result.FailedContainersCount
        skipped         = $result.SkippedCount
        notRun          = $result.NotRunCount
        total           = $result.TotalCount
        durationSeconds = [math]::Round($result.Duration.TotalSeconds, 1)
        kvArchive       = [string] $kvArchive.Version
    }
    $summary | ConvertTo-Json | Set-Content -LiteralPath $ResultPath -Encoding utf8NoBOM
    if ($summary.failed -gt 0 -or $summary.passed -eq 0) { exit 1 }
    exit 0
}

function Invoke-TestInstalled {
    $packageDir = Join-Path $root 'out' 'package'
    $version = (Select-Xml -Path (Join-Path $root 'Directory.Build.props') -XPath '//KvArchiveVersion').Node.InnerText
    $missing = @('KvArchive', 'KvArchive.LocalVault', 'KvArchive.LocalVault.Tool' | Where-Object { -not (Test-Path (Join-Path $packageDir "$_.$version.nupkg")) })
    if ($missing) { Invoke-Package }
    else { Write-Host "Using the $version packages in $packageDir (-Task Package, TestInstalled repacks them)." }

    # The pinned Pester, as for Test: installed, or fetched into out/tools/Modules.
    $pesterBase = Split-Path (Get-TestPester)

    $resultDir = Join-Path $root 'out' 'test-results'
    $resultPath = Join-Path $resultDir 'installed.json'
    $null = New-Item -ItemType Directory -Path $resultDir -Force
    Remove-Item -LiteralPath $resultPath, ([IO.Path]::ChangeExtension($resultPath, '.xml')) -ErrorAction SilentlyContinue

    $work = Join-Path ([IO.Path]::GetTempPath()) ('kvarchive-installed-' + [guid]::NewGuid().ToString('N'))
    $tools = Join-Path $work 'tools'
    $modules = Join-Path $work 'modules'
    $suites = Join-Path $work 'suites'
    $repository = 'KvArchiveInstalled' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $environment = [ordered]@{
        NUGET_PACKAGES                = Join-Path $work 'nuget-packages'
        PSModulePath                  = $modules
        PATH                          = $tools + [IO.Path]::PathSeparator + $env:PATH
        KVARCHIVE_TRUSTED_CERTIFICATE = $null
        IDENTITY_ENDPOINT             = $null
        IDENTITY_HEADER               = $null
    }
    $saved = @{}
    foreach ($name in $environment.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
    $null = New-Item -ItemType Directory -Path $tools, $modules, $suites -Force
    try {
        # The tool from out/package alone (a config that clears every other source), through a NuGet cache of
        # its own, so a package of the same version packed earlier is never taken from ~/.nuget/packages.
        $config = Join-Path $work 'nuget.config'
        Set-Content -LiteralPath $config -Encoding utf8NoBOM -Value @"
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="out-package" value="$packageDir" />
  </packageSources>
</configuration>
"@
        $env:NUGET_PACKAGES = $environment.NUGET_PACKAGES
        Invoke-Dotnet tool install KvArchive.LocalVault.Tool --version $version --tool-path $tools --configfile $config

        # Both modules as Install-PSResource would fetch them from a repository at out/package.
        Register-PSResourceRepository -Name $repository -Uri $packageDir -Trusted
        try {
            Save-PSResource -Name KvArchive, KvArchive.LocalVault -Version $version -Repository $repository -Path $modules -TrustRepository -Quiet
        }
        finally {
            Unregister-PSResourceRepository -Name $repository
        }
        Copy-Item -LiteralPath $pesterBase -Destination (Join-Path $modules 'Pester' $pesterVersion) -Recurse
        Copy-Item -Path (Join-Path $root 'examples' '*.Tests.ps1') -Destination $suites
        # The README's Pester block runs as a suite of its own, as a reader would paste it into a file.
        $readmeSuite = [regex]::Matches((Get-Content -Raw (Join-Path $root 'README.md')), '(?s)```powershell\r?\n(.*?)```') |
            ForEach-Object { $_.Groups[1].Value } | Where-Object { $_ -match '(?m)^BeforeAll\b' } | Select-Object -First 1
        if (-not $readmeSuite) { throw 'README.md has no Pester block (BeforeAll … It) to run against the installed packages.' }
        Set-Content -LiteralPath (Join-Path $suites 'Readme.Tests.ps1') -Value $readmeSuite -Encoding utf8NoBOM
        $runner = Join-Path $work 'run-installed.ps1'
        Set-Content -LiteralPath $runner -Value $installedSuiteRunner.ToString() -Encoding utf8NoBOM

        foreach ($name in $environment.Keys) { [Environment]::SetEnvironmentVariable($name, $environment[$name]) }
        # This same PowerShell: its executable, or dotnet with pwsh.dll when PowerShell runs as a .NET tool.
        $pwsh = [Environment]::ProcessPath
        $pwshArguments = @()
        if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { $pwshArguments = @(Join-Path $PSHOME 'pwsh.dll') }
        Write-Host "$pwsh $pwshArguments -NoProfile -File $runner (PSModulePath=$modules)" -ForegroundColor Cyan
        Push-Location $work
        try { & $pwsh @pwshArguments -NoProfile -NonInteractive -File $runner -SuiteDirectory $suites -InstallRoot $work -ResultPath $resultPath }
        finally { Pop-Location }
        $exitCode = $LASTEXITCODE
    }
    finally {
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
    }

    if (-not (Test-Path $resultPath)) {
        # The runner stopped before Pester reported (an install or import failure): one failure, no pass.
        [ordered]@{ suite = 'examples (installed packages)'; passed = 0; failed = 1; skipped = 0; notRun = 0; total = 0 } |
            ConvertTo-Json | Set-Content -LiteralPath $resultPath -Encoding utf8NoBOM
    }
    $summary = Get-Content -Raw -LiteralPath $resultPath | ConvertFrom-Json
    Write-Host "installed packages: $($summary.passed) passed, $($summary.failed) failed ($resultPath)"
    if ($exitCode -ne 0 -or $summary.failed -gt 0) { throw "The example suites failed against the installed packages (exit code $exitCode)." }
}

# Every task runs even when an earlier one failed (Test, Package, TestInstalled reports both suites), then the
# script fails naming each task that did.
$failures = @()
foreach ($t in $Task) {
    try { & "Invoke-$t" }
    catch {
        Write-Host "Task $t failed: $($_.Exception.Message)" -ForegroundColor Red
        $failures += "$t ($($_.Exception.Message))"
    }
}
if ($failures) { throw "build.ps1 failed: $($failures -join '; ')" }
