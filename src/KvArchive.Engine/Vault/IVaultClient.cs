namespace KvArchive.Engine.Vault;

/// <summary>
/// Everything KvArchive asks of one vault. Secrets and certificates are served by the Azure SDK clients, keys
/// by Azure.Core's pipeline against the keys REST API; callers cannot tell. One instance per vault per command
/// invocation. Every failure is a <see cref="KvException"/> naming the object; retries of transient failures
/// (including 429 without Retry-After) happen inside, so a throw is final. Disposing closes its connections:
/// its owner (<see cref="VaultClients"/>) does that once, when the command ends.
/// </summary>
public interface IVaultClient : IDisposable
{
    /// <summary>The vault's URI.</summary>
    Uri VaultUri { get; }

    /// <summary>Deletes, purges and recoveries this client started and has not seen finish (for name probes).</summary>
    IPendingTransitions Pending { get; }

    /// <summary>The vault's name.</summary>
    string VaultName { get; }

    /// <summary>Lists the objects of one type (latest versions, no values), streamed page by page.</summary>
    IAsyncEnumerable<KvObject> ListAsync(KvObjectType type, CancellationToken cancellationToken);

    /// <summary>Lists every version of one object, newest first as the service returns them.</summary>
    IAsyncEnumerable<KvObject> ListVersionsAsync(KvObjectType type, string name, CancellationToken cancellationToken);

    /// <summary>Lists the soft-deleted objects of one type.</summary>
    IAsyncEnumerable<KvObject> ListDeletedAsync(KvObjectType type, CancellationToken cancellationToken);

    /// <summary>Gets an object's properties (latest version when <paramref name="version"/> is null).</summary>
    Task<KvObject> GetAsync(KvObjectType type, string name, string? version, CancellationToken cancellationToken);

    /// <summary>Gets a soft-deleted object.</summary>
    Task<KvObject> GetDeletedAsync(KvObjectType type, string name, CancellationToken cancellationToken);

    /// <summary>Updates a version's properties without creating a version (latest when version is null).</summary>
    Task<KvObject> UpdateAsync(KvObjectType type, string name, string? version, KvPropertyUpdate update, CancellationToken cancellationToken);

    /// <summary>Starts a soft delete and returns the deleted object; does not wait for it to finish.</summary>
    Task<KvObject> DeleteAsync(KvObjectType type, string name, CancellationToken cancellationToken);

    /// <summary>Starts recovery of a soft-deleted object; does not wait for it to finish.</summary>
    Task RecoverAsync(KvObjectType type, string name, CancellationToken cancellationToken);

    /// <summary>Purges a soft-deleted object.</summary>
    Task PurgeAsync(KvObjectType type, string name, CancellationToken cancellationToken);

    /// <summary>Returns the service's backup blob: the exact bytes (decoded from base64url) of all versions.</summary>
    Task<byte[]> BackupAsync(KvObjectType type, string name, CancellationToken cancellationToken);

    /// <summary>Restores a backup blob; returns the restored object (latest version).</summary>
    Task<KvObject> RestoreAsync(KvObjectType type, ReadOnlyMemory<byte> blob, CancellationToken cancellationToken);

    /// <summary>Sets a new secret version.</summary>
    Task<KvObject> SetSecretAsync(string name, string value, KvSecretSetOptions options, CancellationToken cancellationToken);

    /// <summary>Gets a secret version with its value.</summary>
    Task<KvSecretValue> GetSecretAsync(string name, string? version, CancellationToken cancellationToken);

    /// <summary>Creates a key (new version if the name exists).</summary>
    Task<KvObject> CreateKeyAsync(string name, KvKeyCreateOptions options, CancellationToken cancellationToken);
}
