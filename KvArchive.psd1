# Source of the module manifest. The build (src/KvArchive, target LayoutModule) writes it to out/KvArchive/
# with the version placeholder (ModuleVersion below) replaced by KvArchiveVersion from Directory.Build.props, the one version source.
@{
    RootModule = 'KvArchive.dll'
    ModuleVersion = '__KVARCHIVE_VERSION__'
    GUID = '5f0c2a7e-3b1d-4c8e-9a4f-6d2b8e1c7a90'
    Author = 'KvArchive contributors'
    CompanyName = 'KvArchive'
    Copyright = '(c) KvArchive contributors. MIT License.'
    Description = 'Backs up whole Azure Key Vaults (secrets, keys, certificates, every version) into one verifiable archive and restores them with a plan, around throttling, soft-delete states and service limits.'
    PowerShellVersion = '7.4'
    CompatiblePSEditions = @('Core')

    # The engine and every Azure dependency load in the module's own AssemblyLoadContext (see
    # KvArchiveModuleInitializer), so nothing is listed in RequiredAssemblies.
    FormatsToProcess = @('KvArchive.format.ps1xml')

    CmdletsToExport = @(
        'Get-KvObject'
        'Update-KvObject'
        'Remove-KvObject'
        'Undo-KvObjectRemoval'
        'Get-KvSecret'
        'Set-KvSecret'
        'New-KvKey'
        'Backup-KvObject'
        'Restore-KvObject'
        'Test-KvArchive'
        'Get-KvArchiveItem'
        'Import-KvArchiveItem'
        'Export-KvArchiveItem'
        'Compare-KvArchive'
        'Get-KvArchive'
    )
    FunctionsToExport = @()
    VariablesToExport = @()
    AliasesToExport = @()

    PrivateData = @{
        PSData = @{
            Tags = @('PSModule', 'Azure', 'KeyVault', 'Backup', 'Restore', 'DisasterRecovery', 'Secrets', 'Certificates', 'Keys', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            LicenseUri = 'https://github.com/kvarchive/kvarchive/blob/main/LICENSE'
            ProjectUri = 'https://github.com/kvarchive/kvarchive'
            ReleaseNotes = 'First release: Get-KvObject, Get-/Set-KvSecret, Update-/Remove-KvObject, Undo-KvObjectRemoval, New-KvKey, Backup-/Restore-KvObject, Test-KvArchive, Get-KvArchiveItem. LocalVault for offline rehearsals.'
        }
    }
}
