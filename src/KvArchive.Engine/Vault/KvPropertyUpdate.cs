namespace KvArchive.Engine.Vault;

/// <summary>
/// Changes to a version's properties without creating a new version. A null member leaves that property as
/// it is; <see cref="ClearExpiresOn"/> / <see cref="ClearNotBefore"/> remove a date.
/// </summary>
public sealed class KvPropertyUpdate
{
    /// <summary>Enables or disables the version.</summary>
    public bool? Enabled { get; init; }
    /// <summary>A new expiry date (UTC); null leaves it.</summary>
    public DateTimeOffset? ExpiresOn { get; init; }
    /// <summary>Removes the expiry date.</summary>
    public bool ClearExpiresOn { get; init; }
    /// <summary>A new activation date (UTC); null leaves it.</summary>
    public DateTimeOffset? NotBefore { get; init; }
    /// <summary>Removes the activation date.</summary>
    public bool ClearNotBefore { get; init; }
    /// <summary>Secrets only.</summary>
    public string? ContentType { get; init; }
    /// <summary>Replaces all tags when not null.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}
