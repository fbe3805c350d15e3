<#
.SYNOPSIS
    KvArchive's main job: back up a whole vault into one archive, verify it, and restore it into another vault.
.DESCRIPTION
    Uses whatever credential the environment provides (the DefaultAzureCredential chain: a service principal in
    environment variables, a managed identity as in Azure Automation, Azure CLI, Azure PowerShell).
    tools/KvArchive.Demo runs it against LocalVault and the module tests run it too, so it cannot drift from
    what works. It uses only PowerShell's core commands, so it runs in any host, including a bare runspace.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [Uri] $SourceVaultUri,
    [Parameter(Mandatory)] [Uri] $TargetVaultUri,
    [Parameter(Mandatory)] [string] $ArchivePath
)

$ErrorActionPreference = 'Stop'

function Show-Summary([object[]] $Records) {
    $counts = [ordered]@{}
    foreach ($r in $Records) {
        $key = '{0} {1}' -f $r.Type, $r.Status
        $counts[$key] = 1 + [int]$counts[$key]
    }
    foreach ($k in $counts.Keys) { [Console]::WriteLine(('   {0,-24} {1,6}' -f $k, $counts[$k])) }
}

[Console]::WriteLine("1. Backing up $SourceVaultUri to $ArchivePath")
$saved = @(Get-KvObject -VaultUri $SourceVaultUri | Backup-KvObject -Path $ArchivePath -Force)
Show-Summary $saved

[Console]::WriteLine("2. Verifying $ArchivePath")
$check = Test-KvArchive -Path $ArchivePath
[Console]::WriteLine(('   valid: {0}, entries: {1}' -f $check.IsValid, $check.EntryCount))
if (-not $check.IsValid) { throw "The archive $ArchivePath failed verification." }

[Console]::WriteLine("3. Restoring into $TargetVaultUri")
$restored = @(Get-KvArchiveItem -Path $ArchivePath | Restore-KvObject -VaultUri $TargetVaultUri)
Show-Summary $restored

[pscustomobject]@{
    Saved    = @($saved | Where-Object Status -eq 'Saved').Count
    Skipped  = @($saved | Where-Object Status -eq 'Skipped').Count
    Restored = @($restored | Where-Object Status -eq 'Restored').Count
    Failed   = @($saved | Where-Object Status -eq 'Failed').Count + @($restored | Where-Object Status -eq 'Failed').Count
}
