namespace KvArchive.Engine.Vault;

/// <summary>
/// A secret, key or certificate (or one version of it) as KvArchive shows it: properties only, never a value.
/// Read-only; rendered by the module's format file under its full type name.
/// </summary>
public sealed class KvObject
{
    /// <summary>
    /// Made by the engine only. No public constructor, so PowerShell cannot make a KvObject out of another object's
    /// properties while it binds a pipeline: a record or a PSCustomObject with Type, Name and VaultUri binds by
    /// property name, and only real objects bind to -InputObject.
    /// </summary>
    internal KvObject()
    {
    }

    /// <summary>Secret, Key or Certificate.</summary>
    public required KvObjectType Type { get; init; }

    /// <summary>The vault's name (first label of its host).</summary>
    public required string VaultName { get; init; }

    /// <summary>The vault's URI, e.g. https://prod.vault.azure.net/.</summary>
    public required Uri VaultUri { get; init; }

    /// <summary>The object's name.</summary>
    public required string Name { get; init; }

    /// <summary>The version id (32 hex characters), or null on a list item that names no version.</summary>
    public string? Version { get; init; }

    /// <summary>The object's identifier: the versioned URI when the version is known, else the base URI.</summary>
    public required Uri Id { get; init; }

    /// <summary>Whether the version is enabled.</summary>
    public bool? Enabled { get; init; }

    /// <summary>Not valid before this time.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>Not valid after this time.</summary>
    public DateTimeOffset? ExpiresOn { get; init; }

    /// <summary>When the version was created.</summary>
    public DateTimeOffset? CreatedOn { get; init; }

    /// <summary>When the version was last updated.</summary>
    public DateTimeOffset? UpdatedOn { get; init; }

    /// <summary>The content type (secrets; for a certificate's secret, its format).</summary>
    public string? ContentType { get; init; }

    /// <summary>Tags, never null.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = EmptyTags;

    /// <summary>True for the key and secret that a certificate owns; back up the certificate instead.</summary>
    public bool Managed { get; init; }

    /// <summary>The vault's recovery level for this object, e.g. Recoverable+Purgeable.</summary>
    public string? RecoveryLevel { get; init; }

    /// <summary>Days a deleted object stays recoverable.</summary>
    public int? RecoverableDays { get; init; }

    /// <summary>Key type (RSA, EC, RSA-HSM…) for keys.</summary>
    public string? KeyType { get; init; }

    /// <summary>Curve name for EC keys.</summary>
    public string? CurveName { get; init; }

    /// <summary>Certificate thumbprint (hex) for certificates.</summary>
    public string? Thumbprint { get; init; }

    /// <summary>True when this object is in the removed (soft-deleted) state.</summary>
    public bool Deleted { get; init; }

    /// <summary>When it was deleted (removed objects).</summary>
    public DateTimeOffset? DeletedOn { get; init; }

    /// <summary>When the service will purge it (removed objects).</summary>
    public DateTimeOffset? ScheduledPurgeDate { get; init; }

    /// <summary>The recovery id (removed objects).</summary>
    public Uri? RecoveryId { get; init; }

    /// <summary>
    /// When, by the service's clock, the listing page this item came from was answered (its Date header); null when
    /// it did not come from a listing. A backup uses it to tell whether a later change in
    /// the same second as the item's last update could hide from a comparison of times.
    /// </summary>
    internal DateTimeOffset? ListedAt { get; set; }

    private static readonly IReadOnlyDictionary<string, string> EmptyTags =
        new System.Collections.ObjectModel.ReadOnlyDictionary<string, string>(new Dictionary<string, string>());

    /// <inheritdoc />
    /// <remarks>Null-safe: PowerShell can make a KvObject from another object's properties (no Id) while it binds a pipeline, and writes it.</remarks>
    public override string ToString() => Id?.ToString() ?? $"{Type} {Name}";
}
