namespace KvArchive.Engine.Vault;

/// <summary>
/// One object type's operations against one vault. The secret and certificate stores sit on the Azure SDK clients,
/// the key store on the keys REST API; a store for the Keys package can replace it without touching callers.
/// Stores may throw SDK exceptions (RequestFailedException and the like); <see cref="KeyVaultClient"/> maps them.
/// </summary>
internal interface IObjectStore
{
    /// <summary>The type this store serves.</summary>
    KvObjectType Type { get; }

    /// <summary>Latest version of every object, without values, page by page.</summary>
    IAsyncEnumerable<KvObject> ListAsync(CancellationToken cancellationToken);

    /// <summary>Every version of one object.</summary>
    IAsyncEnumerable<KvObject> ListVersionsAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every soft-deleted object.</summary>
    IAsyncEnumerable<KvObject> ListDeletedAsync(CancellationToken cancellationToken);

    /// <summary>One version's properties (latest when version is null).</summary>
    Task<KvObject> GetAsync(string name, string? version, CancellationToken cancellationToken);

    /// <summary>A soft-deleted object.</summary>
    Task<KvObject> GetDeletedAsync(string name, CancellationToken cancellationToken);

    /// <summary>Updates a version's properties (latest when version is null).</summary>
    Task<KvObject> UpdateAsync(string name, string? version, KvPropertyUpdate update, CancellationToken cancellationToken);

    /// <summary>Starts a delete; returns the deleted object.</summary>
    Task<KvObject> DeleteAsync(string name, CancellationToken cancellationToken);

    /// <summary>Starts a recovery.</summary>
    Task RecoverAsync(string name, CancellationToken cancellationToken);

    /// <summary>Purges a soft-deleted object.</summary>
    Task PurgeAsync(string name, CancellationToken cancellationToken);

    /// <summary>The backup blob's exact bytes.</summary>
    Task<byte[]> BackupAsync(string name, CancellationToken cancellationToken);

    /// <summary>Restores a blob; returns the restored object.</summary>
    Task<KvObject> RestoreAsync(ReadOnlyMemory<byte> blob, CancellationToken cancellationToken);
}
