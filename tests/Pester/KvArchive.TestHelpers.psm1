# Helpers for the Pester suites: start LocalVault as a process, talk to its management API, make vaults and tokens.
# KvArchive itself trusts LocalVault only through KVARCHIVE_TRUSTED_CERTIFICATE; the management calls below are
# the harness's own (loopback, test-only) and skip certificate checks so they need no extra trust setup.

Set-StrictMode -Version Latest

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path

function Get-TestRepoRoot { $script:RepoRoot }

function Get-TestModuleManifest {
    $path = Join-Path $script:RepoRoot 'out' 'KvArchive' 'KvArchive.psd1'
    if (-not (Test-Path $path)) { throw "The module is not built: run 'dotnet build' (or ./build.ps1) first; $path is missing." }
    $path
}

function Find-LocalVaultDll {
    $preferred = if ($env:KVARCHIVE_CONFIGURATION) { $env:KVARCHIVE_CONFIGURATION } else { 'Release' }
    foreach ($configuration in @($preferred, 'Release', 'Debug') | Select-Object -Unique) {
        $dll = Join-Path $script:RepoRoot 'src' 'KvArchive.LocalVault' 'bin' $configuration 'net8.0' 'KvArchive.LocalVault.dll'
        if (Test-Path $dll) { return $dll }
    }
    throw "LocalVault is not built: run 'dotnet build' at the repository root."
}

function Start-TestLocalVault {
    <#
    .SYNOPSIS
        Starts LocalVault on free ports and returns an object with its ready information, the process and its log.
    #>
    [CmdletBinding()]
    param([string[]] $ArgumentList = @())

    $dll = Find-LocalVaultDll
    $logDir = Join-Path ([IO.Path]::GetTempPath()) ("kvarchive-pester-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $logDir -Force | Out-Null
    $tlsDir = Join-Path ([IO.Path]::GetTempPath()) 'kvarchive-test-tls'

    $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    $psi.ArgumentList.Add($dll)
    foreach ($a in @('--port', '0', '--identity-port', '0', '--tls-dir', $tlsDir, '--exit-on-stdin-close') + $ArgumentList) {
        $psi.ArgumentList.Add($a)
    }
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $psi.Environment['ASPNETCORE_ENVIRONMENT'] = 'Production'
    $process = [System.Diagnostics.Process]::Start($psi)

    # Drain both streams into files on the thread pool (a full pipe would block the server), unbuffered so
    # the ready line can be read as soon as it is written.
    $outPath = Join-Path $logDir 'stdout.log'
    $errPath = Join-Path $logDir 'stderr.log'
    $outFile = [IO.FileStream]::new($outPath, [IO.FileMode]::Create, [IO.FileAccess]::Write, [IO.FileShare]::ReadWrite, 1)
    $errFile = [IO.FileStream]::new($errPath, [IO.FileMode]::Create, [IO.FileAccess]::Write, [IO.FileShare]::ReadWrite, 1)
    $null = $process.StandardOutput.BaseStream.CopyToAsync($outFile)
    $null = $process.StandardError.BaseStream.CopyToAsync($errFile)

    $deadline = [DateTime]::UtcNow.AddSeconds(90)
    $readyLine = $null
    while (-not $readyLine) {
        if ($process.HasExited) {
            throw "LocalVault exited before it was ready:`n$(Read-SharedFile $outPath)`n$(Read-SharedFile $errPath)"
        }
        if ([DateTime]::UtcNow -gt $deadline) {
            $process.Kill($true)
            throw "LocalVault did not report ready within 90 s:`n$(Read-SharedFile $outPath)"
        }
        Start-Sleep -Milliseconds 100
        # Only whole lines: the server may be half-way through writing the ready line when the file is read.
        $text = Read-SharedFile $outPath
        $whole = $text.Substring(0, $text.LastIndexOf("`n") + 1)
        $readyLine = $whole -split "`n" | Where-Object { $_.StartsWith('LOCALVAULT-READY ') } | Select-Object -First 1
    }

    $ready = $readyLine.Substring('LOCALVAULT-READY '.Length).Trim() | ConvertFrom-Json
    $env:KVARCHIVE_TRUSTED_CERTIFICATE = $ready.certificatePath
    [pscustomobject]@{
        Process          = $process
        Port             = [int]$ready.port
        BaseUri          = [string]$ready.baseUri
        CertificatePath  = [string]$ready.certificatePath
        ManagementKey    = [string]$ready.managementKey
        IdentityEndpoint = [string]$ready.identityEndpoint
        IdentityHeader   = [string]$ready.identityHeader
        Files            = @($outFile, $errFile)
        LogDirectory     = $logDir
    }
}

function Read-SharedFile([string] $Path) {
    $stream = [IO.File]::Open($Path, [IO.FileMode]::Open, [IO.FileAccess]::Read, [IO.FileShare]::ReadWrite)
    try { [IO.StreamReader]::new($stream).ReadToEnd() } finally { $stream.Dispose() }
}

function Stop-TestLocalVault {
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Server)
    try {
        $Server.Process.StandardInput.Close()
        if (-not $Server.Process.WaitForExit(5000)) { $Server.Process.Kill($true) }
    }
    catch {
        if (-not $Server.Process.HasExited) { $Server.Process.Kill($true) }
    }
    foreach ($f in $Server.Files) { $f.Dispose() }
}

function Invoke-LocalVaultManagement {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Server,
        [Parameter(Mandatory)] [string] $Method,
        [Parameter(Mandatory)] [string] $Path,
        $Body
    )
    $params = @{
        Uri                  = $Server.BaseUri.TrimEnd('/') + '/_localvault/' + $Path.TrimStart('/')
        Method               = $Method
        Headers              = @{ 'x-localvault-key' = $Server.ManagementKey }
        SkipCertificateCheck = $true
    }
    if ($null -ne $Body) {
        $params.Body = $Body | ConvertTo-Json -Depth 10
        $params.ContentType = 'application/json'
    }
    Invoke-RestMethod @params
}

function New-TestVault {
    <#
    .SYNOPSIS
        Creates a vault with a unique name and returns its URI.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Server, [hashtable] $Settings = @{}, [string] $Prefix = 'p')
    $name = ($Prefix + [guid]::NewGuid().ToString('N')).Substring(0, 20)
    $body = @{ name = $name } + $Settings
    $null = Invoke-LocalVaultManagement -Server $Server -Method Post -Path 'vaults' -Body $body
    [uri]"https://$name.vault.localhost:$($Server.Port)/"
}

function New-TestToken {
    <#
    .SYNOPSIS
        Issues a token (all permissions unless -Permission) and returns it as a SecureString.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Server, [string[]] $Permission, [string] $Identity = 'pester')
    $body = @{ identity = $Identity; lifetimeSeconds = 3600 }
    if ($PSBoundParameters.ContainsKey('Permission')) { $body.permissions = @($Permission) }
    $token = Invoke-LocalVaultManagement -Server $Server -Method Post -Path 'tokens' -Body $body
    ConvertTo-SecureString -String $token.access_token -AsPlainText -Force
}

function Set-TestVaultFault {
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)] [uri] $VaultUri, [Parameter(Mandatory)] [hashtable[]] $Rule)
    $name = $VaultUri.Host.Split('.')[0]
    $null = Invoke-LocalVaultManagement -Server $Server -Method Put -Path "vaults/$name/faults" -Body @{ rules = @($Rule) }
}

function Clear-TestVaultFault {
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)] [uri] $VaultUri)
    $name = $VaultUri.Host.Split('.')[0]
    $null = Invoke-LocalVaultManagement -Server $Server -Method Delete -Path "vaults/$name/faults"
}

function Get-TestVaultStats {
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)] [uri] $VaultUri)
    $name = $VaultUri.Host.Split('.')[0]
    Invoke-LocalVaultManagement -Server $Server -Method Get -Path "vaults/$name/stats"
}

function Invoke-TestSeed {
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)] [uri] $VaultUri, [Parameter(Mandatory)] [hashtable] $Seed)
    $name = $VaultUri.Host.Split('.')[0]
    Invoke-LocalVaultManagement -Server $Server -Method Post -Path "vaults/$name/seed" -Body $Seed
}

# Azurite (npm azurite, installed by 'npm ci' in tests/KvArchive.LocalVault.Tests/js): the blob service only, in
# memory, on a free loopback port. Its account is the published development account.
$script:AzuriteAccount = 'devstoreaccount1'
$script:AzuriteKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

function Start-TestAzurite {
    <#
    .SYNOPSIS
        Starts Azurite's blob service on a free port; returns its process and blob endpoint (http://127.0.0.1:PORT/devstoreaccount1).
    #>
    [CmdletBinding()]
    param()
    $main = Join-Path $script:RepoRoot 'tests' 'KvArchive.LocalVault.Tests' 'js' 'node_modules' 'azurite' 'dist' 'src' 'blob' 'main.js'
    if (-not (Test-Path $main)) { throw "Azurite is not installed: run 'npm ci' in tests/KvArchive.LocalVault.Tests/js ($main is missing)." }
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $port = $listener.LocalEndpoint.Port
    $listener.Stop()
    $psi = [System.Diagnostics.ProcessStartInfo]::new('node')
    foreach ($a in @($main, '--blobHost', '127.0.0.1', '--blobPort', "$port", '--inMemoryPersistence', '--skipApiVersionCheck', '--loose', '--silent', '--disableTelemetry')) {
        $psi.ArgumentList.Add($a)
    }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($psi)
    $process.BeginOutputReadLine()
    $process.BeginErrorReadLine()
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while ($true) {
        if ($process.HasExited) { throw "Azurite exited with code $($process.ExitCode) before listening on $port." }
        $probe = [System.Net.Sockets.TcpClient]::new()
        try { $probe.Connect('127.0.0.1', $port); break }
        catch { if ([DateTime]::UtcNow -gt $deadline) { throw "Azurite did not listen on $port within 60 s." }; Start-Sleep -Milliseconds 100 }
        finally { $probe.Dispose() }
    }
    [pscustomobject]@{ Process = $process; Port = $port; BlobEndpoint = "http://127.0.0.1:$port/$script:AzuriteAccount" }
}

function Stop-TestAzurite {
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Azurite)
    if (-not $Azurite.Process.HasExited) { $Azurite.Process.Kill($true); $null = $Azurite.Process.WaitForExit(5000) }
    $Azurite.Process.Dispose()
}

function New-TestAzuriteContainer {
    <#
    .SYNOPSIS
        Creates a container (Shared Key signed, as any storage client does) and returns its URL.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Azurite, [string] $Name = ('c' + [guid]::NewGuid().ToString('N').Substring(0, 12)))
    $date = [DateTime]::UtcNow.ToString('R')
    $version = '2021-08-06'
    $resource = "/$script:AzuriteAccount/$script:AzuriteAccount/$Name`nrestype:container"
    $toSign = "PUT`n`n`n`n`n`n`n`n`n`n`n`nx-ms-date:$date`nx-ms-version:$version`n$resource"
    $hmac = [System.Security.Cryptography.HMACSHA256]::new([Convert]::FromBase64String($script:AzuriteKey))
    $signature = [Convert]::ToBase64String($hmac.ComputeHash([Text.Encoding]::UTF8.GetBytes($toSign)))
    $hmac.Dispose()
    $headers = @{ 'x-ms-date' = $date; 'x-ms-version' = $version; Authorization = "SharedKey ${script:AzuriteAccount}:$signature" }
    $null = Invoke-WebRequest -Method Put -Uri "$($Azurite.BlobEndpoint)/$Name`?restype=container" -Headers $headers -Body ([byte[]]@())
    "$($Azurite.BlobEndpoint)/$Name"
}

Export-ModuleMember -Function Get-TestRepoRoot, Get-TestModuleManifest, Start-TestLocalVault, Stop-TestLocalVault,
    Invoke-LocalVaultManagement, New-TestVault, New-TestToken, Set-TestVaultFault, Clear-TestVaultFault,
    Get-TestVaultStats, Invoke-TestSeed, Start-TestAzurite, Stop-TestAzurite, New-TestAzuriteContainer
