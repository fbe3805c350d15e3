#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests and packages KvArchive. A thin layer over dotnet: everything it does can be done without it.
.DESCRIPTION
    Build    dotnet build: lays out the importable module at out/KvArchive (manifest, cmdlets, Dependencies/,
             format file, MAML help, about topics).
    Test     dotnet test of the solution (xunit, including the module tests that host PowerShell), then the
             Pester suites in tests/Pester when Pester 5 is installed.
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
    ./build.ps1 -Task Test -Configuration Release
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

    $pester = Get-Module -ListAvailable -Name Pester | Where-Object Version -ge ([version]'5.0') | Sort-Object Version -Descending | Select-Object -First 1
    if (-not $pester) { throw 'TestInstalled needs Pester 5 (Install-PSResource Pester).' }

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
        Copy-Item -LiteralPath $pester.ModuleBase -Destination (Join-Path $modules 'Pester' $pester.Version) -Recurse
        Copy-Item -Path (Join-Path $root 'examples' '*.Tests.ps1') -Destination $suites
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

foreach ($t in $Task) {
    & "Invoke-$t"
}
