namespace KvArchive.Engine.Vault;

/// <summary>Stable error identifiers, in one place. Add here; never inline a string id elsewhere.</summary>
public static class KvErrorIds
{
    /// <summary>No object of that name (or version) exists in the vault.</summary>
    public const string ObjectNotFound = "KvObjectNotFound";
    /// <summary>The identity may not perform the operation (the vault's access policy or RBAC refused it).</summary>
    public const string PermissionDenied = "KvPermissionDenied";
    /// <summary>An object of that name already exists where a free name was needed.</summary>
    public const string ObjectExists = "KvObjectExists";
    /// <summary>The name is held by a soft-deleted object, which must be recovered or purged first.</summary>
    public const string ObjectSoftDeleted = "KvObjectSoftDeleted";
    /// <summary>The object is still being deleted; the name is not free yet.</summary>
    public const string ObjectBeingDeleted = "KvObjectBeingDeleted";
    /// <summary>The object is still being recovered; it is not usable yet.</summary>
    public const string ObjectBeingRecovered = "KvObjectBeingRecovered";
    /// <summary>The vault kept answering 429 beyond the retry budget.</summary>
    public const string Throttled = "KvThrottled";
    /// <summary>A value the vault or the engine refused as malformed or out of range.</summary>
    public const string InvalidArgument = "KvInvalidArgument";
    /// <summary>The secret is disabled, so its value cannot be read.</summary>
    public const string SecretDisabled = "KvSecretDisabled";
    /// <summary>The vault refused the backup blob (another subscription or geography, or a damaged blob).</summary>
    public const string BackupRejected = "KvBackupRejected";
    /// <summary>The object has more versions than one backup may hold.</summary>
    public const string TooManyVersions = "KvTooManyVersions";
    /// <summary>The object is managed by a certificate and cannot be changed on its own.</summary>
    public const string ManagedObject = "KvManagedObject";
    /// <summary>No credential produced a token the vault accepted.</summary>
    public const string Unauthenticated = "KvUnauthenticated";
    /// <summary>The vault could not be reached (DNS, connection, TLS or timeout).</summary>
    public const string VaultUnreachable = "KvVaultUnreachable";
    /// <summary>The vault address is not a Key Vault address this engine can use.</summary>
    public const string InvalidVault = "KvInvalidVault";
    /// <summary>The archive failed a whole-file check (framing, manifest, trailer or hash).</summary>
    public const string ArchiveInvalid = "KvArchiveInvalid";
    /// <summary>One entry of the archive failed its own checks.</summary>
    public const string ArchiveEntryInvalid = "KvArchiveEntryInvalid";
    /// <summary>The archive was written by a newer format version than this engine reads.</summary>
    public const string ArchiveVersionUnsupported = "KvArchiveVersionUnsupported";
    /// <summary>No archive exists at the path.</summary>
    public const string ArchiveNotFound = "KvArchiveNotFound";
    /// <summary>An archive already exists at the path and replacing it was not asked for.</summary>
    public const string ArchiveExists = "KvArchiveExists";
    /// <summary>The archive could not be written (disk full, permissions, a path that is not a file).</summary>
    public const string ArchiveWriteFailed = "KvArchiveWriteFailed";
    /// <summary>A part of an archive is larger than a reader accepts (a damaged or hostile file).</summary>
    public const string ArchiveLimitExceeded = "KvArchiveLimitExceeded";
    /// <summary>A backup saved nothing, so no archive was written (unless an empty archive was asked for).</summary>
    public const string ArchiveEmpty = "KvArchiveEmpty";
    /// <summary>An archive failed its whole-file checks before a restore, so nothing was restored from it.</summary>
    public const string ArchiveVerificationFailed = "KvArchiveVerificationFailed";
    /// <summary>An archive path cannot be used: a folder, an invalid character, a wildcard that is ambiguous or matches nothing.</summary>
    public const string ArchivePathInvalid = "KvArchivePathInvalid";
    /// <summary>The object changed while it was being backed up; the saved copy may not be the latest.</summary>
    public const string ObjectChangedDuringBackup = "KvObjectChangedDuringBackup";
    /// <summary>The operation was stopped by the user.</summary>
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
    /// <summary>An error with no more specific identifier.</summary>
    public const string Unknown = "KvUnknown";
}
