using KvArchive.Engine.Vault;

namespace KvArchive.Hosting;

/// <summary>
/// The next step for each error id, in the words of this module's cmdlets and parameters. The engine raises ids
/// and facts and never names a cmdlet or a parameter (it has no idea which ones exist); the remedy is worded here,
/// once, and reaches the user as <c>ErrorDetails.RecommendedAction</c>.
/// </summary>
internal static class KvRecommendedActions
{
    /// <summary>The recommended action for an engine failure: the id's, refined by the facts it carries.</summary>
    public static string For(KvException exception)
    {
        if (exception.ErrorId == KvErrorIds.Unauthenticated && exception.CredentialKind is { } kind)
        {
            return ForCredential(kind);
        }

        if (exception.ErrorId == KvErrorIds.VaultUnreachable && exception.UntrustedCertificate)
        {
            return $"Make this machine trust the vault's certificate chain; for LocalVault, point $env:{TrustedRootVariable} at the certificatePath it printed (trusted for loopback hosts only).";
        }

        return For(exception.ErrorId);
    }

    /// <summary>The recommended action for an error id; every id in <see cref="KvErrorIds"/> has one.</summary>
    public static string For(string errorId) => errorId switch
    {
        KvErrorIds.ObjectNotFound => "Check the name and the type: Get-KvObject -Name <pattern> lists what the vault holds, and -InRemovedState lists removed objects.",
        KvErrorIds.PermissionDenied => "Grant the signed-in identity the permission the message names (an Azure RBAC role or an access policy), or sign in as an identity that has it. A vault with purge protection refuses every purge: recover the object with Undo-KvObjectRemoval instead.",
        KvErrorIds.ObjectExists => "Use another name, remove the existing object first (Remove-KvObject), or restore into another vault; Restore-KvObject -ExistingPolicy Skip leaves existing objects as they are.",
        KvErrorIds.ObjectSoftDeleted => "Recover it with Undo-KvObjectRemoval, or purge it with Remove-KvObject -InRemovedState -Purge, then try again. Restore-KvObject -SoftDeletedPolicy Purge purges and restores in one go.",
        KvErrorIds.ObjectBeingDeleted => "Wait a few seconds until the vault has finished deleting it, then try again; Get-KvObject -InRemovedState shows it once it is removed.",
        KvErrorIds.ObjectBeingRecovered => "Wait a few seconds until the vault has finished recovering it, then try again.",
        KvErrorIds.Throttled => "Retry later, or lower -ThrottleLimit of Backup-KvObject or Restore-KvObject; other clients of the same vault share its limit (about 4,000 operations per 10 seconds).",
        KvErrorIds.InvalidArgument => "Correct the value the message names and run the command again; Get-Help <command> -Parameter <name> describes each parameter.",
        KvErrorIds.SecretDisabled => "Enable the secret with Update-KvObject -Type Secret -Name <name> -Enabled $true, then read it again.",
        KvErrorIds.BackupRejected => "Restore only into a vault of the same Azure subscription and geography as the source, from an unaltered archive: check it with Test-KvArchive.",
        KvErrorIds.TooManyVersions => "Remove (and purge) old versions you no longer need so that the object fits in one backup, then back it up again.",
        KvErrorIds.ManagedObject => "Back up the certificate of the same name instead: its backup carries this key and secret.",
        KvErrorIds.Unauthenticated => ForCredential(KvCredentialKind.Default),
        KvErrorIds.VaultUnreachable => "Check the vault name or URI, DNS, the firewall and any private endpoint, then retry. For LocalVault, start it and set $env:" + TrustedRootVariable + " to the certificate file it printed.",
        KvErrorIds.InvalidVault => "Pass -VaultName with the name of a vault in the Azure public cloud (https://<name>.vault.azure.net/), or -VaultUri with the vault's full URI (sovereign clouds, private endpoints, LocalVault).",
        KvErrorIds.ArchiveInvalid => "Run Test-KvArchive -Path <archive> to see what is damaged; use another copy of the archive or run the backup again.",
        KvErrorIds.ArchiveEntryInvalid => "Restore this object from another copy of the archive or from a newer backup; the other entries can still be restored (Get-KvArchiveItem | Restore-KvObject), and Test-KvArchive -Path <archive> lists every damaged entry.",
        KvErrorIds.ArchiveVersionUnsupported => "Update KvArchive (Update-PSResource KvArchive) to a version that reads this archive format.",
        KvErrorIds.ArchiveNotFound => "Check -Path: it is resolved against the current PowerShell location (Get-Location).",
        KvErrorIds.ArchiveExists => "Choose another -Path, or add -Force to replace the archive (it is replaced only once the new archive is complete).",
        KvErrorIds.ArchiveWriteFailed => "Choose an archive -Path in a folder that exists and is writable, with enough free space.",
        KvErrorIds.ArchiveLimitExceeded => "The archive is damaged or was not written by KvArchive: run Test-KvArchive -Path <archive>, and use another copy of the archive or run the backup again.",
        KvErrorIds.ArchiveEmpty => "Check that -Name and -Type match objects in the vault (Get-KvObject) and that the identity may list and back them up; add -AllowEmpty to write an archive even when nothing is saved.",
        KvErrorIds.ArchiveVerificationFailed => "Run Test-KvArchive -Path <archive> to see what is damaged and use another copy; or add -SkipDamagedEntries to Restore-KvObject to restore only the entries that verify (the others are reported and left).",
        KvErrorIds.ArchivePathInvalid => "Give the path of an archive file (not a folder) without wildcards that match several files; use -LiteralPath for a name that holds wildcard characters such as [ ] * ?.",
        KvErrorIds.ObjectChangedDuringBackup => "Run Backup-KvObject again for that object (-Name) once changes to it have stopped; the archive holds the state it first read.",
        KvErrorIds.BackupFileUnrecognized => "Give an archive written by Backup-KvObject or Import-KvArchiveItem, or a backup file as az keyvault … backup --file, Backup-AzKeyVault… or the portal's Download Backup write it (the blob's bytes, unchanged).",
        KvErrorIds.BackupFileKindMismatch => "Leave out -Type (the blob's header says whether it is a secret, or a key or certificate), or pass the kind it holds.",
        KvErrorIds.BackupFileNameInvalid => "Pass the object's name with -Name (1-127 letters, digits and dashes), or rename the file to <name>.blob.",
        KvErrorIds.ArchiveItemDuplicate => "Import that file into another archive, or give it another -Name; an archive holds one backup per object.",
        KvErrorIds.ExportFileExists => "Choose another -Destination, or add -Force to replace the file.",
        KvErrorIds.BaseArchiveInvalid => "Run Test-KvArchive -Path <base> to see what is wrong, then use another copy as -BaseArchive, or run a full backup (without -BaseArchive) to start afresh.",
        KvErrorIds.Cancelled => "Run the command again to finish the work; nothing was left half-done in the vault. A stopped Backup-KvObject continues where it stopped with -Resume.",
        KvErrorIds.ConfirmationRequired => "Add -Force to confirm in advance (or -Confirm:$false), or run the command in an interactive session to answer the prompt.",
        KvErrorIds.Unknown => "Run the command again with -Verbose and -Debug to see each request; if it keeps failing, report the message and the error id.",
        _ => "Read the message for what failed; Get-Help about_KvArchive describes the error ids.",
    };

    private const string TrustedRootVariable = "KVARCHIVE_TRUSTED_CERTIFICATE";

    private static string ForCredential(KvCredentialKind kind) => kind switch
    {
        KvCredentialKind.ServicePrincipal => "Check -Credential (user name: the application id; password: its client secret, which may have expired) and -TenantId.",
        KvCredentialKind.ManagedIdentity => "Run where a managed identity is assigned (Azure VM, App Service, Functions, Automation); for a user-assigned identity pass -ManagedIdentityClientId.",
        KvCredentialKind.AzureCli => "Sign in with 'az login' (and 'az account set') first, or choose another -CredentialKind.",
        KvCredentialKind.AzurePowerShell => "Sign in with 'Connect-AzAccount' first, or choose another -CredentialKind.",
        KvCredentialKind.AccessToken => "Pass a current token for the vault's resource with -AccessToken (e.g. from 'az account get-access-token --resource https://vault.azure.net').",
        _ => "Sign in with 'az login' or 'Connect-AzAccount', set AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, or run where a managed identity is assigned; or pass -AccessToken, -Credential with -TenantId (a service principal), or -CredentialKind.",
    };
}
