using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Http;

/// <summary>The service's error answers, with its wording.</summary>
public static class VaultErrors
{
    public const string HelpLink = "https://go.microsoft.com/fwlink/?linkid=2125182";

    public static VaultErrorException NotFound(ObjectKind kind, string name, string? version = null)
        => new(404, kind.NotFoundCode, $"A {kind.Lower} with (name/id) {name}{(string.IsNullOrEmpty(version) ? "" : "/" + version)} was not found in this key vault. If you recently deleted this {kind.Lower} you may be able to recover it using the correct recovery command. For help resolving this issue, please see {HelpLink}");

    public static VaultErrorException DeletedNotFound(ObjectKind kind, string name)
        => new(404, kind.NotFoundCode, $"Deleted {kind.Title} not found: {name}");

    public static VaultErrorException BeingDeleted(ObjectKind kind, string name)
        => new(409, "Conflict", $"{kind.Title} {name} is currently being deleted and cannot be re-created; retry later.", "ObjectIsBeingDeleted");

    public static VaultErrorException BeingRecovered(ObjectKind kind, string name)
        => new(409, "Conflict", $"{kind.Title} {name} is currently being recovered and cannot be re-created; retry later.", "ObjectIsBeingRecovered");

    public static VaultErrorException DeletedButRecoverable(ObjectKind kind, string name)
        => new(409, "Conflict", $"{kind.Title} {name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the {kind.Lower} can only be recovered or purged.", "ObjectIsDeletedButRecoverable");

    /// <summary>The recorded wording: the id is the restored (latest) version's, under the target vault.</summary>
    public static VaultErrorException AlreadyExists(Vault vault, ObjectKind kind, string name, string version)
        => new(409, "Conflict", $"Conflict while restoring {kind.Lower} {vault.BaseUri}/{kind.Collection}/{name}/{version} - {kind.Lower} already exists or concurrent access");

    public static VaultErrorException PurgeProtected(ObjectKind kind, string name)
        => new(403, "Forbidden", $"Operation 'purge' is not allowed on {kind.Lower} '{name}' because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed.");

    public static VaultErrorException SoftDeleteDisabled(ObjectKind kind)
        => new(400, "BadParameter", $"Soft delete is not enabled on this vault, so there are no deleted {kind.Collection}.");

    public static VaultErrorException ManagedByCertificate(ObjectKind kind, string operation)
        => new(403, "Forbidden", $"Operation {operation} is not allowed on this {kind.Title}, since it is associated with a certificate. Perform this operation on the certificate instead.");

    public static VaultErrorException BadParameter(string message) => new(400, "BadParameter", message);

    public static VaultErrorException MalformedBackup() => new(400, "Malformed backup blob", "Backup blob is corrupt.");

    public static VaultErrorException Disabled(string operation)
        => new(403, "Forbidden", $"Operation {operation} is not allowed on a disabled secret.", "SecretDisabled");

    public static VaultErrorException ForbiddenByRbac(string identity, string permission)
        => new(403, "Forbidden", $"Caller is not authorized to perform action on resource. If role assignments, deny assignments or role definitions were changed recently, please observe propagation time. Caller: {identity}; Action: '{permission}'.", "ForbiddenByRbac");

    public static VaultErrorException Throttled(int? retryAfterSeconds)
        => new(429, "Throttled", "Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached") { RetryAfterSeconds = retryAfterSeconds };

    public static VaultErrorException InvalidName(string name)
        => BadParameter($"The request URI contains an invalid name: {name}. Names are 1-127 characters of 0-9, a-z, A-Z and '-'.");

    public static VaultErrorException InvalidVersion(string version)
        => BadParameter($"The request URI contains an invalid version: {version}. Versions are 32 hexadecimal characters.");

    public static VaultErrorException MethodNotAllowed(string method, string path)
        => new(405, "MethodNotAllowed", $"Method {method} is not allowed on {path}.");

    public static VaultErrorException RouteNotFound(string path)
        => new(404, "NotFound", $"The requested resource {path} does not exist.");
}
