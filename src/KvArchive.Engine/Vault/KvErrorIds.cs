namespace KvArchive.Engine.Vault;

/// <summary>Stable error identifiers, in one place. Add here; never inline a string id elsewhere.</summary>
public static class KvErrorIds
{
    public const string ObjectNotFound = "KvObjectNotFound";
    public const string PermissionDenied = "KvPermissionDenied";
    public const string ObjectExists = "KvObjectExists";
    public const string ObjectSoftDeleted = "KvObjectSoftDeleted";
    public const string ObjectBeingDeleted = "KvObjectBeingDeleted";
    public const string ObjectBeingRecovered = "KvObjectBeingRecovered";
    public const string Throttled = "KvThrottled";
    public const string InvalidArgument = "KvInvalidArgument";
    public const string SecretDisabled = "KvSecretDisabled";
    public const string BackupRejected = "KvBackupRejected";
    public const string TooManyVersions = "KvTooManyVersions";
    public const string ManagedObject = "KvManagedObject";
    public const string Unauthenticated = "KvUnauthenticated";
    public const string VaultUnreachable = "KvVaultUnreachable";
    public const string InvalidVault = "KvInvalidVault";
    public const string ArchiveInvalid = "KvArchiveInvalid";
    public const string ArchiveEntryInvalid = "KvArchiveEntryInvalid";
    public const string ArchiveVersionUnsupported = "KvArchiveVersionUnsupported";
    public const string ArchiveNotFound = "KvArchiveNotFound";
    public const string ArchiveExists = "KvArchiveExists";
    public const string ArchiveWriteFailed = "KvArchiveWriteFailed";
    public const string ObjectChangedDuringBackup = "KvObjectChangedDuringBackup";
    public const string Cancelled = "KvCancelled";
    /// <summary>A file is not a Key Vault backup blob (nor an archive).</summary>
    public const string BackupFileUnrecognized = "KvBackupFileUnrecognized";
    /// <summary>A backup file's blob is of another kind than the one asked for (a secret's blob named as a key).</summary>
    public const string BackupFileKindMismatch = "KvBackupFileKindMismatch";
    /// <summary>No valid object name can be taken from a backup file's name.</summary>
    public const string BackupFileNameInvalid = "KvBackupFileNameInvalid";
    /// <summary>A file an export would write exists already.</summary>
    public const string ExportFileExists = "KvExportFileExists";
    /// <summary>The archive an incremental backup builds on cannot be used (damaged, incomplete, unreadable).</summary>
    public const string BaseArchiveInvalid = "KvBaseArchiveInvalid";
    /// <summary>An archive being written already holds an object of that kind and name.</summary>
    public const string ArchiveItemDuplicate = "KvArchiveItemDuplicate";
    /// <summary>A destructive action needs confirmation and the host cannot prompt (a runbook): pass -Force.</summary>
    public const string ConfirmationRequired = "KvConfirmationRequired";
    public const string Unknown = "KvUnknown";
}
