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
    /// <summary>A part of an archive is larger than a reader accepts (a damaged or hostile file).</summary>
    public const string ArchiveLimitExceeded = "KvArchiveLimitExceeded";
    /// <summary>A backup saved nothing, so no archive was written (unless an empty archive was asked for).</summary>
    public const string ArchiveEmpty = "KvArchiveEmpty";
    /// <summary>An archive failed its whole-file checks before a restore, so nothing was restored from it.</summary>
    public const string ArchiveVerificationFailed = "KvArchiveVerificationFailed";
    /// <summary>An archive path cannot be used: a folder, an invalid character, a wildcard that is ambiguous or matches nothing.</summary>
    public const string ArchivePathInvalid = "KvArchivePathInvalid";
    public const string ObjectChangedDuringBackup = "KvObjectChangedDuringBackup";
    public const string Cancelled = "KvCancelled";
    /// <summary>A destructive action needs confirmation and the host cannot prompt (a runbook): pass -Force.</summary>
    public const string ConfirmationRequired = "KvConfirmationRequired";
    public const string Unknown = "KvUnknown";
}
