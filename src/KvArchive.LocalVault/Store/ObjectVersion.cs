namespace KvArchive.LocalVault.Store;

/// <summary>
/// One version of a secret, key or certificate. Immutable: an update stores a new record in place of the old one,
/// so a reader can take a reference under the vault lock and serialize it after releasing the lock.
/// </summary>
public abstract record ObjectVersion
{
    /// <summary>32 lower-case hex characters.</summary>
    public required string Version { get; init; }

    /// <summary>Vault-wide creation order (newest first in version lists; restore assigns new ones in the blob's order).</summary>
    public long Sequence { get; init; }

    public long Created { get; init; }

    public long Updated { get; init; }

    public bool Enabled { get; init; } = true;

    public long? NotBefore { get; init; }

    public long? Expires { get; init; }

    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}
