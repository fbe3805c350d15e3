# KvArchive.LocalVault: start LocalVault (the 'localvault' .NET tool, package KvArchive.LocalVault.Tool) from
# PowerShell for a Pester suite or a runbook rehearsal, and drive its management API (/_localvault).
#
# Start-KvLocalVault sets KVARCHIVE_TRUSTED_CERTIFICATE, IDENTITY_ENDPOINT and IDENTITY_HEADER for the session, so
# KvArchive's cmdlets and any Azure SDK's DefaultAzureCredential reach LocalVault with no parameter;
# Stop-KvLocalVault puts back what it changed. Every helper takes -Server and defaults to the most recently started
# server that is still running, so a suite needs no variable to pass around.

Set-StrictMode -Version 3.0

$script:ServerTypeName = 'KvArchive.LocalVault.Server'
$script:EnvironmentNames = @('KVARCHIVE_TRUSTED_CERTIFICATE', 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER')
$script:ReadyPrefix = 'LOCALVAULT-READY '

# Servers this session started and has not stopped, oldest first.
$script:Servers = [System.Collections.Generic.List[object]]::new()

function Resolve-LocalVaultCommand {
    # What to run: -Path (the tool's executable, a folder holding it such as a --tool-path, or KvArchive.LocalVault.dll
    # run by dotnet), else 'localvault' on PATH, else the global tools folder ~/.dotnet/tools (often not on PATH in a
    # non-login shell or a CI step).
    param([string] $Path)

    $executable = if ($IsWindows) { 'localvault.exe' } else { 'localvault' }
    if ($Path) {
        $resolved = (Resolve-Path -LiteralPath $Path -ErrorAction Stop).ProviderPath
        if (Test-Path -LiteralPath $resolved -PathType Container) {
            $candidate = Join-Path $resolved $executable
            if (-not (Test-Path -LiteralPath $candidate -PathType Leaf)) {
                throw "The folder '$resolved' has no $executable. Pass the tool's executable, its folder (dotnet tool install --tool-path) or KvArchive.LocalVault.dll."
            }
            return @{ FileName = $candidate; Arguments = @() }
        }
        if ($resolved.EndsWith('.dll', [StringComparison]::OrdinalIgnoreCase)) {
            return @{ FileName = 'dotnet'; Arguments = @($resolved) }
        }
        return @{ FileName = $resolved; Arguments = @() }
    }

    $onPath = Get-Command -Name 'localvault' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($onPath) { return @{ FileName = $onPath.Source; Arguments = @() } }

    $userProfile = [Environment]::GetFolderPath([Environment+SpecialFolder]::UserProfile)
    $global = Join-Path $userProfile '.dotnet' 'tools' $executable
    if (Test-Path -LiteralPath $global -PathType Leaf) { return @{ FileName = $global; Arguments = @() } }

    throw "LocalVault is not installed: run 'dotnet tool install --global KvArchive.LocalVault.Tool' (add '--add-source <folder>' for a local package folder), or pass -Path to the localvault executable or KvArchive.LocalVault.dll."
}

function Read-SharedText([string] $Path) {
    # The server's output files are still open for writing: read them without a lock.
    $stream = [IO.File]::Open($Path, [IO.FileMode]::Open, [IO.FileAccess]::Read, [IO.FileShare]::ReadWrite)
    try { [IO.StreamReader]::new($stream).ReadToEnd() } finally { $stream.Dispose() }
}

function Get-LogTail([object] $Server) {
    $text = (Read-SharedText $Server.StandardOutputPath) + (Read-SharedText $Server.StandardErrorPath)
    $lines = $text -split "`r?`n" | Where-Object { $_ -and -not $_.StartsWith($script:ReadyPrefix) }
    ($lines | Select-Object -Last 40) -join [Environment]::NewLine
}

function Resolve-Server {
    param([object] $Server)
    if ($null -ne $Server) {
        if ($Server.PSObject.TypeNames -notcontains $script:ServerTypeName) {
            throw "-Server takes the object Start-KvLocalVault returned."
        }
        if ($Server.Stopped -or $Server.Process.HasExited) { throw "This LocalVault (process $($Server.ProcessId)) has stopped." }
        return $Server
    }
    for ($i = $script:Servers.Count - 1; $i -ge 0; $i--) {
        if (-not $script:Servers[$i].Stopped -and -not $script:Servers[$i].Process.HasExited) { return $script:Servers[$i] }
    }
    throw 'No LocalVault is running in this session: run Start-KvLocalVault first, or pass -Server.'
}

function Resolve-VaultName {
    # A vault is named by its name or by its URI (https://{name}.vault.localhost:{port}/).
    param([string] $Vault)
    $uri = $null
    if ([Uri]::TryCreate($Vault, [UriKind]::Absolute, [ref] $uri) -and $uri.Host.EndsWith('.vault.localhost', [StringComparison]::OrdinalIgnoreCase)) {
        return $uri.Host.Substring(0, $uri.Host.Length - '.vault.localhost'.Length)
    }
    $Vault
}

function Send-Management {
    param([Parameter(Mandatory)] [object] $Server, [string] $Method = 'Get', [Parameter(Mandatory)] [string] $Path, [object] $Body)
    $request = @{
        Uri     = [Uri]::new($Server.ManagementUri, $Path.TrimStart('/'))
        Method  = $Method
        Headers = @{ 'x-localvault-key' = $Server.ManagementKey }
        # The management API is on https://localhost only, with the server's own self-signed certificate, which
        # Invoke-RestMethod has no way to trust per call; the check is skipped for this loopback address alone.
        SkipCertificateCheck = $true
        ErrorAction = 'Stop'
    }
    if ($null -ne $Body) {
        $request.Body = ConvertTo-Json -InputObject $Body -Depth 10 -Compress
        $request.ContentType = 'application/json'
    }
    Invoke-RestMethod @request
}

function Start-KvLocalVault {
    <#
    .SYNOPSIS
        Starts LocalVault, creates the named vaults and points KvArchive and DefaultAzureCredential at it.
    .DESCRIPTION
        Runs the LocalVault .NET tool (command 'localvault', package KvArchive.LocalVault.Tool) on a free loopback
        port, waits until it reports ready, and creates the vaults named by -Vault. Then, unless -NoEnvironment, it
        sets for this session:

          KVARCHIVE_TRUSTED_CERTIFICATE  LocalVault's certificate, which KvArchive then trusts for loopback hosts
          IDENTITY_ENDPOINT              LocalVault's managed-identity endpoint (App Service / Automation shape)
          IDENTITY_HEADER                its header value

        so KvArchive's cmdlets and Azure.Identity's DefaultAzureCredential (ManagedIdentityCredential) get tokens
        from LocalVault without a parameter. Stop-KvLocalVault stops the server and restores those variables.

        LocalVault is found at -Path, else as 'localvault' on PATH, else in ~/.dotnet/tools. It stops by itself
        when this PowerShell process ends (it watches its standard input).
    .PARAMETER Vault
        Names of vaults to create (1-63 letters, digits and hyphens). Each is at https://{name}.vault.localhost:{port}/.
    .PARAMETER Path
        The localvault executable, the folder holding it (a 'dotnet tool install --tool-path' folder), or
        KvArchive.LocalVault.dll (run with dotnet).
    .PARAMETER Port
        HTTPS port on 127.0.0.1; 0 (the default) picks a free one.
    .PARAMETER DataDirectory
        Persist every vault there (LocalVault --data-dir); a later start with the same folder finds them again.
    .PARAMETER TlsDirectory
        Where LocalVault keeps its certificate and key (--tls-dir); default ~/.localvault/tls.
    .PARAMETER Geography
        Geography that backup blobs are bound to (--geography); default localgeo.
    .PARAMETER ArgumentList
        More LocalVault options, as its README lists them (e.g. '--no-throttling', '--delete-delay-ms', '500').
    .PARAMETER TimeoutSeconds
        How long to wait for LocalVault to report ready.
    .PARAMETER NoEnvironment
        Do not set KVARCHIVE_TRUSTED_CERTIFICATE, IDENTITY_ENDPOINT and IDENTITY_HEADER.
    .EXAMPLE
        $lv = Start-KvLocalVault -Vault prod, dr
        Get-KvObject -VaultUri $lv.Vaults.prod

        Starts LocalVault with two vaults; KvArchive connects through the managed-identity variables it set.
    .EXAMPLE
        BeforeAll { $script:lv = Start-KvLocalVault -Vault prod -Path ./tools }
        AfterAll  { Stop-KvLocalVault }

        In a Pester suite, with the tool installed by 'dotnet tool install --tool-path ./tools KvArchive.LocalVault.Tool'.
    .OUTPUTS
        KvArchive.LocalVault.Server: Vaults (name -> URI), BaseUri, ManagementUri, ManagementKey, CertificatePath,
        IdentityEndpoint, IdentityHeader, Port, IdentityPort, Process, ProcessId. Its default view shows neither
        the management key nor the identity header.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType('KvArchive.LocalVault.Server')]
    param(
        [Parameter(Position = 0)]
        [ValidatePattern('^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$')]
        [string[]] $Vault = @(),

        [string] $Path,

        [ValidateRange(0, 65535)]
        [int] $Port = 0,

        [string] $DataDirectory,

        [string] $TlsDirectory,

        [string] $Geography,

        [string[]] $ArgumentList = @(),

        [ValidateRange(1, 600)]
        [int] $TimeoutSeconds = 90,

        [switch] $NoEnvironment
    )

    $command = Resolve-LocalVaultCommand -Path $Path
    if (-not $PSCmdlet.ShouldProcess("LocalVault ($($command.FileName)) with vaults: $($Vault -join ', ')", 'Start')) { return }

    $arguments = [System.Collections.Generic.List[string]]::new()
    $arguments.AddRange([string[]] $command.Arguments)
    $arguments.AddRange([string[]] @('--port', [string]$Port, '--identity-port', '0', '--exit-on-stdin-close'))
    foreach ($name in $Vault) { $arguments.AddRange([string[]] @('--vault', $name)) }
    if ($DataDirectory) { $arguments.AddRange([string[]] @('--data-dir', $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($DataDirectory))) }
    if ($TlsDirectory) { $arguments.AddRange([string[]] @('--tls-dir', $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($TlsDirectory))) }
    if ($Geography) { $arguments.AddRange([string[]] @('--geography', $Geography)) }
    $arguments.AddRange([string[]] $ArgumentList)

    $logDirectory = Join-Path ([IO.Path]::GetTempPath()) ('kvlocalvault-' + [guid]::NewGuid().ToString('N'))
    $null = New-Item -ItemType Directory -Path $logDirectory -Force
    $outPath = Join-Path $logDirectory 'stdout.log'
    $errPath = Join-Path $logDirectory 'stderr.log'

    $psi = [System.Diagnostics.ProcessStartInfo]::new($command.FileName)
    foreach ($a in $arguments) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $psi.WorkingDirectory = $logDirectory
    $psi.Environment['ASPNETCORE_ENVIRONMENT'] = 'Production'
    try {
        $process = [System.Diagnostics.Process]::Start($psi)
    }
    catch {
        Remove-Item -LiteralPath $logDirectory -Recurse -Force -ErrorAction SilentlyContinue
        throw "Could not start LocalVault ($($command.FileName)): $($_.Exception.Message)"
    }

    # Both streams drain into files on the thread pool (a full pipe would block the server), unbuffered so the ready
    # line is readable as soon as it is written; no script runs on another thread.
    $outFile = [IO.FileStream]::new($outPath, [IO.FileMode]::Create, [IO.FileAccess]::Write, [IO.FileShare]::ReadWrite, 1)
    $errFile = [IO.FileStream]::new($errPath, [IO.FileMode]::Create, [IO.FileAccess]::Write, [IO.FileShare]::ReadWrite, 1)
    $copies = @($process.StandardOutput.BaseStream.CopyToAsync($outFile), $process.StandardError.BaseStream.CopyToAsync($errFile))

    $server = [pscustomobject]@{
        PSTypeName         = $script:ServerTypeName
        Vaults             = [ordered]@{}
        BaseUri            = $null
        ManagementUri      = $null
        ManagementKey      = $null
        CertificatePath    = $null
        IdentityEndpoint   = $null
        IdentityHeader     = $null
        Port               = 0
        IdentityPort       = 0
        VaultUriTemplate   = $null
        Process            = $process
        ProcessId          = $process.Id
        LogDirectory       = $logDirectory
        StandardOutputPath = $outPath
        StandardErrorPath  = $errPath
        SavedEnvironment   = $null
        Stopped            = $false
        Streams            = @($outFile, $errFile)
        StreamCopies       = $copies
    }

    try {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        $readyLine = $null
        while (-not $readyLine) {
            $readyLine = (Read-SharedText $outPath) -split "`r?`n" | Where-Object { $_.StartsWith($script:ReadyPrefix) } | Select-Object -First 1
            if ($readyLine) { break }
            if ($process.HasExited) {
                throw "LocalVault exited (code $($process.ExitCode)) before it was ready:`n$(Get-LogTail $server)"
            }
            if ([DateTime]::UtcNow -gt $deadline) {
                throw "LocalVault did not report ready within $TimeoutSeconds s:`n$(Get-LogTail $server)"
            }
            Start-Sleep -Milliseconds 100
        }

        $ready = $readyLine.Substring($script:ReadyPrefix.Length).Trim() | ConvertFrom-Json
        $server.Port = [int] $ready.port
        $server.IdentityPort = [int] $ready.identityPort
        $server.BaseUri = [Uri] $ready.baseUri
        $server.ManagementUri = [Uri]::new($server.BaseUri, '_localvault/')
        $server.ManagementKey = [string] $ready.managementKey
        $server.CertificatePath = [string] $ready.certificatePath
        $server.IdentityEndpoint = [string] $ready.identityEndpoint
        $server.IdentityHeader = [string] $ready.identityHeader
        $server.VaultUriTemplate = [string] $ready.vaultUriTemplate
        foreach ($name in @($ready.vaults)) {
            if ($name) { $server.Vaults[[string]$name] = [Uri] $server.VaultUriTemplate.Replace('{name}', ([string]$name).ToLowerInvariant()) }
        }

        $health = Send-Management -Server $server -Path 'health'
        if ($health.status -ne 'ok') { throw "LocalVault's health endpoint answered '$($health.status)'." }
    }
    catch {
        Stop-ServerProcess $server
        Remove-Item -LiteralPath $logDirectory -Recurse -Force -ErrorAction SilentlyContinue
        throw
    }

    if (-not $NoEnvironment) {
        $saved = [ordered]@{}
        foreach ($name in $script:EnvironmentNames) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
        $server.SavedEnvironment = $saved
        [Environment]::SetEnvironmentVariable('KVARCHIVE_TRUSTED_CERTIFICATE', $server.CertificatePath)
        [Environment]::SetEnvironmentVariable('IDENTITY_ENDPOINT', $server.IdentityEndpoint)
        [Environment]::SetEnvironmentVariable('IDENTITY_HEADER', $server.IdentityHeader)
    }

    $script:Servers.Add($server)
    Write-Verbose "LocalVault $($server.ProcessId) on port $($server.Port); vaults: $($server.Vaults.Keys -join ', '); certificate $($server.CertificatePath)"
    $server
}

function Stop-ServerProcess([object] $Server) {
    if ($Server.Stopped) { return }
    try {
        if (-not $Server.Process.HasExited) {
            # Closing standard input is LocalVault's clean stop (--exit-on-stdin-close): it saves --data-dir first.
            $Server.Process.StandardInput.Close()
            if (-not $Server.Process.WaitForExit(10000)) { $Server.Process.Kill($true) }
        }
        $Server.Process.WaitForExit()
    }
    catch [InvalidOperationException] {
    }
    foreach ($copy in $Server.StreamCopies) { $null = $copy.Wait(5000) }
    foreach ($stream in $Server.Streams) { $stream.Dispose() }
    # The Process object stays undisposed so ExitCode and HasExited can still be read.
}

function Stop-KvLocalVault {
    <#
    .SYNOPSIS
        Stops a LocalVault that Start-KvLocalVault started and restores the environment variables it set.
    .DESCRIPTION
        Closes LocalVault's standard input (its clean stop: with a data directory it saves first), kills it if it
        has not stopped within 10 seconds, and deletes its log folder. Each of KVARCHIVE_TRUSTED_CERTIFICATE,
        IDENTITY_ENDPOINT and IDENTITY_HEADER that still holds the value Start-KvLocalVault gave it goes back to
        what it was before (or is removed if it was not set); a variable changed since is left alone.
        Without -Server it stops every LocalVault this session started, newest first.
    .PARAMETER Server
        The object Start-KvLocalVault returned (by pipeline too).
    .EXAMPLE
        AfterAll { Stop-KvLocalVault }
    .EXAMPLE
        $lv | Stop-KvLocalVault
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([void])]
    param(
        [Parameter(ValueFromPipeline, Position = 0)]
        [object] $Server
    )

    process {
        $targets = if ($null -ne $Server) {
            if ($Server.PSObject.TypeNames -notcontains $script:ServerTypeName) { throw '-Server takes the object Start-KvLocalVault returned.' }
            @($Server)
        }
        else {
            $all = $script:Servers.ToArray()
            [array]::Reverse($all)
            $all
        }

        foreach ($target in $targets) {
            if ($target.Stopped) { continue }
            if (-not $PSCmdlet.ShouldProcess("LocalVault process $($target.ProcessId) on port $($target.Port)", 'Stop')) { continue }
            Stop-ServerProcess $target
            $target.Stopped = $true
            if ($null -ne $target.SavedEnvironment) {
                $current = @{
                    KVARCHIVE_TRUSTED_CERTIFICATE = $target.CertificatePath
                    IDENTITY_ENDPOINT             = $target.IdentityEndpoint
                    IDENTITY_HEADER               = $target.IdentityHeader
                }
                foreach ($name in $script:EnvironmentNames) {
                    if ([Environment]::GetEnvironmentVariable($name) -ceq $current[$name]) {
                        [Environment]::SetEnvironmentVariable($name, $target.SavedEnvironment[$name])
                    }
                }
                $target.SavedEnvironment = $null
            }
            Remove-Item -LiteralPath $target.LogDirectory -Recurse -Force -ErrorAction SilentlyContinue
            $null = $script:Servers.Remove($target)
        }
    }
}

function Get-KvLocalVault {
    <#
    .SYNOPSIS
        The LocalVault servers this session started and has not stopped.
    .EXAMPLE
        Get-KvLocalVault | Stop-KvLocalVault
    #>
    [CmdletBinding()]
    [OutputType('KvArchive.LocalVault.Server')]
    param()
    $script:Servers.ToArray()
}

function Invoke-KvLocalVaultManagement {
    <#
    .SYNOPSIS
        Sends one request to LocalVault's management API (/_localvault/...) and returns its JSON answer.
    .DESCRIPTION
        For the management calls no helper covers (vault settings, identities, statistics resets, ...): see the
        "Management endpoints" table of LocalVault's README. The management key is sent for you.
    .PARAMETER Method
        HTTP method.
    .PARAMETER Path
        Path under /_localvault/, e.g. 'vaults/prod'.
    .PARAMETER Body
        A hashtable or object, sent as JSON.
    .PARAMETER Server
        The object Start-KvLocalVault returned; default: the most recently started one that is running.
    .EXAMPLE
        Invoke-KvLocalVaultManagement -Method Patch -Path vaults/prod -Body @{ softDelete = $false; deleteDelayMs = 200 }
    .EXAMPLE
        Invoke-KvLocalVaultManagement -Path vaults
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [ValidateSet('Get', 'Post', 'Put', 'Patch', 'Delete')]
        [string] $Method = 'Get',

        [Parameter(Mandatory, Position = 0)]
        [string] $Path,

        [object] $Body,

        [object] $Server
    )
    $target = Resolve-Server $Server
    if ($Method -ne 'Get' -and -not $PSCmdlet.ShouldProcess("LocalVault $($target.ProcessId): /_localvault/$($Path.TrimStart('/'))", $Method.ToUpperInvariant())) { return }
    Send-Management -Server $target -Method $Method -Path $Path -Body $Body
}

function New-KvLocalVaultVault {
    <#
    .SYNOPSIS
        Creates another vault in a running LocalVault and returns its URI.
    .DESCRIPTION
        The vault is added to the server object's Vaults. Settings are those of the management API: geography,
        recoverableDays (7-90), purgeProtection, softDelete, deleteDelayMs, throttling, retryAfterSeconds,
        pageShape ('natural' or 'ragged'), certificateDelayMs.
    .PARAMETER Name
        The vault name (1-63 letters, digits and hyphens).
    .PARAMETER Setting
        Vault settings, e.g. @{ softDelete = $false } or @{ purgeProtection = $true; recoverableDays = 7 }.
    .PARAMETER Server
        The object Start-KvLocalVault returned; default: the most recently started one that is running.
    .EXAMPLE
        $locked = New-KvLocalVaultVault -Name locked -Setting @{ purgeProtection = $true }
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([Uri])]
    param(
        [Parameter(Mandatory, Position = 0)]
        [ValidatePattern('^[a-zA-Z0-9][a-zA-Z0-9-]{0,62}$')]
        [string] $Name,

        [hashtable] $Setting = @{},

        [object] $Server
    )
    $target = Resolve-Server $Server
    if (-not $PSCmdlet.ShouldProcess("LocalVault $($target.ProcessId): vault '$Name'", 'Create')) { return }
    $body = @{ name = $Name } + $Setting
    $created = Send-Management -Server $target -Method Post -Path 'vaults' -Body $body
    $uri = [Uri] $target.VaultUriTemplate.Replace('{name}', ([string]$created.name).ToLowerInvariant())
    $target.Vaults[[string]$created.name] = $uri
    $uri
}

function Add-KvLocalVaultSeed {
    <#
    .SYNOPSIS
        Fills a vault with generated secrets, keys and certificates, server-side and fast.
    .DESCRIPTION
        Objects are named {prefix}-s0000..., {prefix}-k0000..., {prefix}-c0000... with varied attributes (every
        7th disabled, content types, tags, expiry dates, RSA and EC keys). No request budget is drawn. Returns
        LocalVault's answer: the counts and the names.
    .PARAMETER Vault
        The vault's name or URI.
    .PARAMETER Secrets
        Number of secrets.
    .PARAMETER Keys
        Number of keys.
    .PARAMETER Certificates
        Number of certificates (each also has its managed key and secret).
    .PARAMETER Versions
        Versions of each object.
    .PARAMETER Prefix
        Name prefix.
    .PARAMETER ValueBytes
        Length of each secret value.
    .PARAMETER Server
        The object Start-KvLocalVault returned; default: the most recently started one that is running.
    .EXAMPLE
        Add-KvLocalVaultSeed -Vault prod -Secrets 100 -Keys 10 -Certificates 5 -Versions 2
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, Position = 0)]
        [string] $Vault,

        [ValidateRange(0, 100000)] [int] $Secrets = 0,
        [ValidateRange(0, 100000)] [int] $Keys = 0,
        [ValidateRange(0, 100000)] [int] $Certificates = 0,
        [ValidateRange(1, 500)] [int] $Versions = 1,
        [ValidatePattern('^[a-zA-Z0-9-]{1,40}$')] [string] $Prefix = 'seed',
        [ValidateRange(1, 25600)] [int] $ValueBytes = 32,

        [object] $Server
    )
    $target = Resolve-Server $Server
    $name = Resolve-VaultName $Vault
    if (-not $PSCmdlet.ShouldProcess("LocalVault $($target.ProcessId): vault '$name'", "Seed $Secrets secrets, $Keys keys, $Certificates certificates")) { return }
    $body = @{ secrets = $Secrets; keys = $Keys; certificates = $Certificates; versions = $Versions; prefix = $Prefix; valueBytes = $ValueBytes }
    Send-Management -Server $target -Method Post -Path "vaults/$name/seed" -Body $body
}

function Set-KvLocalVaultFault {
    <#
    .SYNOPSIS
        Injects latency and failures into a vault's requests.
    .DESCRIPTION
        Latency (fixed plus uniform jitter) applies to every vault call; then the first rule whose method and
        pathRegex (case-insensitive, on the path without query) match and that has uses left answers instead:
        status (a Key Vault-shaped error: 429 Throttled, 500, 503, ...; retryAfterSeconds adds Retry-After), drop
        (closes the connection) or stallMs. A rule without count answers every matching request. Replaces the
        vault's previous faults.
    .PARAMETER Vault
        The vault's name or URI.
    .PARAMETER Rule
        Rules as hashtables: method, pathRegex, status, count, drop, stallMs, retryAfterSeconds.
    .PARAMETER LatencyMs
        Added to every request.
    .PARAMETER JitterMs
        Uniform random extra latency, up to this.
    .PARAMETER Server
        The object Start-KvLocalVault returned; default: the most recently started one that is running.
    .EXAMPLE
        Set-KvLocalVaultFault -Vault prod -Rule @{ method = 'POST'; pathRegex = '/backup$'; status = 503; count = 3 }

        The next three backup requests answer 503 Service Unavailable.
    .EXAMPLE
        Set-KvLocalVaultFault -Vault prod -LatencyMs 20 -JitterMs 5
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, Position = 0)]
        [string] $Vault,

        [hashtable[]] $Rule = @(),

        [ValidateRange(0, 600000)] [int] $LatencyMs = 0,
        [ValidateRange(0, 600000)] [int] $JitterMs = 0,

        [object] $Server
    )
    $target = Resolve-Server $Server
    $name = Resolve-VaultName $Vault
    if (-not $PSCmdlet.ShouldProcess("LocalVault $($target.ProcessId): vault '$name'", "Set $($Rule.Count) fault rule(s), latency $LatencyMs ms")) { return }
    $null = Send-Management -Server $target -Method Put -Path "vaults/$name/faults" -Body @{ latencyMs = $LatencyMs; jitterMs = $JitterMs; rules = @($Rule) }
}

function Clear-KvLocalVaultFault {
    <#
    .SYNOPSIS
        Removes a vault's latency and fault rules.
    .PARAMETER Vault
        The vault's name or URI.
    .PARAMETER Server
        The object Start-KvLocalVault returned; default: the most recently started one that is running.
    .EXAMPLE
        Clear-KvLocalVaultFault -Vault prod
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, Position = 0)]
        [string] $Vault,

        [object] $Server
    )
    $target = Resolve-Server $Server
    $name = Resolve-VaultName $Vault
    if (-not $PSCmdlet.ShouldProcess("LocalVault $($target.ProcessId): vault '$name'", 'Clear faults')) { return }
    $null = Send-Management -Server $target -Method Delete -Path "vaults/$name/faults"
}

function New-KvLocalVaultToken {
    <#
    .SYNOPSIS
        Issues an access token for LocalVault with the given permissions, for -AccessToken.
    .DESCRIPTION
        Permissions are {secrets|keys|certificates}/{get|list|set|delete|recover|purge|backup|restore|update|
        create|import}, or wildcards such as 'secrets/*'; without -Permission the token may do everything. A call
        outside the token's permissions answers 403 Forbidden (ForbiddenByRbac), as Key Vault's RBAC does.
        The token comes back as a SecureString, which is what KvArchive's -AccessToken takes.
    .PARAMETER Permission
        What the token may do.
    .PARAMETER Identity
        The identity the token names.
    .PARAMETER LifetimeSeconds
        Lifetime; negative values issue an already expired token (down to -86400).
    .PARAMETER AsPlainText
        Return the token as a string (for a raw HTTP call's Authorization header).
    .PARAMETER Server
        The object Start-KvLocalVault returned; default: the most recently started one that is running.
    .EXAMPLE
        $reader = New-KvLocalVaultToken -Permission 'secrets/get', 'secrets/list'
        Get-KvObject -VaultUri $lv.Vaults.prod -Type Secret -AccessToken $reader
    #>
    [CmdletBinding()]
    [OutputType([securestring], [string])]
    param(
        [Parameter(Position = 0)]
        [string[]] $Permission,

        [string] $Identity = 'kvlocalvault',

        [ValidateRange(-86400, 2678400)]
        [int] $LifetimeSeconds = 3600,

        [switch] $AsPlainText,

        [object] $Server
    )
    $target = Resolve-Server $Server
    $body = @{ identity = $Identity; lifetimeSeconds = $LifetimeSeconds }
    if ($PSBoundParameters.ContainsKey('Permission')) { $body.permissions = @($Permission) }
    $answer = Send-Management -Server $target -Method Post -Path 'tokens' -Body $body
    if ($AsPlainText) { return [string] $answer.access_token }
    ConvertTo-SecureString -String $answer.access_token -AsPlainText -Force
}

function Set-KvLocalVaultIdentity {
    <#
    .SYNOPSIS
        Defines a user-assigned managed identity and its permissions.
    .DESCRIPTION
        A client asking LocalVault's managed-identity endpoint with this client id (KvArchive's
        -ManagedIdentityClientId, ManagedIdentityCredential's clientId) gets a token with these permissions.
        Without -Permission the identity may do everything.
    .PARAMETER ClientId
        The identity's client id.
    .PARAMETER Permission
        What it may do, as for New-KvLocalVaultToken.
    .PARAMETER Server
        The object Start-KvLocalVault returned; default: the most recently started one that is running.
    .EXAMPLE
        Set-KvLocalVaultIdentity -ClientId 0b9f6a52-0000-4000-8000-000000000001 -Permission 'secrets/backup', 'secrets/list'
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, Position = 0)]
        [string] $ClientId,

        [string[]] $Permission,

        [object] $Server
    )
    $target = Resolve-Server $Server
    if (-not $PSCmdlet.ShouldProcess("LocalVault $($target.ProcessId): identity '$ClientId'", 'Set permissions')) { return }
    $body = @{ permissions = if ($PSBoundParameters.ContainsKey('Permission')) { @($Permission) } else { $null } }
    $null = Send-Management -Server $target -Method Put -Path "identities/$([Uri]::EscapeDataString($ClientId))" -Body $body
}

function Set-KvLocalVaultClock {
    <#
    .SYNOPSIS
        Moves LocalVault's clock, which drives expiry, deletion and scheduled purge dates.
    .DESCRIPTION
        Deleted objects whose scheduled purge date the clock passes are purged. Token lifetimes follow real time,
        so moving the clock does not log clients out. Returns the clock: now (Unix seconds) and offsetSeconds.
    .PARAMETER Offset
        How far from real time the clock runs (e.g. (New-TimeSpan -Days 91)).
    .PARAMETER Now
        The time the clock reads now.
    .PARAMETER Reset
        Back to real time.
    .PARAMETER Server
        The object Start-KvLocalVault returned; default: the most recently started one that is running.
    .EXAMPLE
        Set-KvLocalVaultClock -Offset (New-TimeSpan -Days 91)

        Every object deleted with the default 90-day retention is purged.
    .EXAMPLE
        Set-KvLocalVaultClock -Reset
    #>
    [CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'Offset')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Offset', Position = 0)]
        [timespan] $Offset,

        [Parameter(Mandatory, ParameterSetName = 'Now')]
        [datetimeoffset] $Now,

        [Parameter(Mandatory, ParameterSetName = 'Reset')]
        [switch] $Reset,

        [object] $Server
    )
    $target = Resolve-Server $Server
    switch ($PSCmdlet.ParameterSetName) {
        'Offset' { $action = "Set clock offset to $Offset"; $method = 'Put'; $body = @{ offsetSeconds = [long] $Offset.TotalSeconds } }
        'Now' { $action = "Set clock to $($Now.ToString('o'))"; $method = 'Put'; $body = @{ now = $Now.ToUnixTimeSeconds() } }
        'Reset' { $action = 'Reset clock'; $method = 'Delete'; $body = $null }
    }
    if (-not $PSCmdlet.ShouldProcess("LocalVault $($target.ProcessId)", $action)) { return }
    Send-Management -Server $target -Method $method -Path 'clock' -Body $body
}

function Get-KvLocalVaultStatistic {
    <#
    .SYNOPSIS
        A vault's request counts since it was created or its statistics were reset.
    .DESCRIPTION
        requests, throttled, and byStatus (status code -> count; a dropped connection counts as 0). With -Reset
        the counts start again from zero after they are read.
    .PARAMETER Vault
        The vault's name or URI.
    .PARAMETER Reset
        Reset the counts after reading them.
    .PARAMETER Server
        The object Start-KvLocalVault returned; default: the most recently started one that is running.
    .EXAMPLE
        (Get-KvLocalVaultStatistic -Vault prod).byStatus.'503'
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, Position = 0)]
        [string] $Vault,

        [switch] $Reset,

        [object] $Server
    )
    $target = Resolve-Server $Server
    $name = Resolve-VaultName $Vault
    Send-Management -Server $target -Path "vaults/$name/stats"
    if ($Reset -and $PSCmdlet.ShouldProcess("LocalVault $($target.ProcessId): vault '$name'", 'Reset statistics')) {
        $null = Send-Management -Server $target -Method Delete -Path "vaults/$name/stats"
    }
}

# A LocalVault left running when the module is removed is stopped, and the environment put back.
$ExecutionContext.SessionState.Module.OnRemove = {
    foreach ($server in @($script:Servers.ToArray())) { Stop-KvLocalVault -Server $server -Confirm:$false }
}

Export-ModuleMember -Function Start-KvLocalVault, Stop-KvLocalVault, Get-KvLocalVault, New-KvLocalVaultVault,
    Add-KvLocalVaultSeed, Set-KvLocalVaultFault, Clear-KvLocalVaultFault, New-KvLocalVaultToken,
    Set-KvLocalVaultIdentity, Set-KvLocalVaultClock, Get-KvLocalVaultStatistic, Invoke-KvLocalVaultManagement
