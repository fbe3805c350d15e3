# Source of the companion module's manifest. The build (KvArchive.LocalVault.Module.csproj, target
# LayoutScriptModule) writes it to out/KvArchive.LocalVault/ with ModuleVersion set to KvArchiveVersion from
# Directory.Build.props, the one version source.
@{
    RootModule = 'KvArchive.LocalVault.psm1'
    ModuleVersion = '__KVARCHIVE_VERSION__'
    GUID = 'c2eb62d4-7b91-45c1-afee-5a4d01c591ce'
    Author = 'KvArchive contributors'
    CompanyName = 'KvArchive'
    Copyright = '(c) KvArchive contributors. MIT License.'
    Description = 'Starts LocalVault (the Key Vault-compatible HTTPS server on loopback, .NET tool KvArchive.LocalVault.Tool) for Pester suites and runbook rehearsals: Start-KvLocalVault creates the vaults and points KvArchive and the Azure SDKs'' DefaultAzureCredential at it; helpers seed vaults, inject faults, issue least-privilege tokens and move the clock; Stop-KvLocalVault restores the environment.'
    PowerShellVersion = '7.4'
    CompatiblePSEditions = @('Core')

    FormatsToProcess = @('KvArchive.LocalVault.format.ps1xml')

    FunctionsToExport = @(
        'Start-KvLocalVault'
        'Stop-KvLocalVault'
        'Get-KvLocalVault'
        'New-KvLocalVaultVault'
        'Add-KvLocalVaultSeed'
        'Set-KvLocalVaultFault'
        'Clear-KvLocalVaultFault'
        'New-KvLocalVaultToken'
        'Set-KvLocalVaultIdentity'
        'Set-KvLocalVaultClock'
        'Get-KvLocalVaultStatistic'
        'Invoke-KvLocalVaultManagement'
    )
    CmdletsToExport = @()
    VariablesToExport = @()
    AliasesToExport = @()

    PrivateData = @{
        PSData = @{
            Tags = @('Azure', 'KeyVault', 'LocalVault', 'Emulator', 'Testing', 'Pester', 'DisasterRecovery', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            LicenseUri = 'https://github.com/kvarchive/kvarchive/blob/main/LICENSE'
            ProjectUri = 'https://github.com/kvarchive/kvarchive'
            ReleaseNotes = 'Set from CHANGELOG.md when the package is built.'
        }
    }
}
