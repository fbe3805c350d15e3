namespace KvArchive.Engine.Vault;

/// <summary>
/// Changes to a version's properties without creating a new version. A null member leaves that property as
/// it is; <see cref="ClearExpiresOn"/> / <see cref="ClearNotBefore"/> remove a date.
/// </summary>
public sealed class KvPropertyUpdate
{
    public bool? Enabled { get; init; }
    public DateTimeOffset? ExpiresOn { get; init; }
    public bool ClearExpiresOn { get; init; }
    public DateTimeOffset? NotBefore { get; init; }
    public bool ClearNotBefore { get; init; }
    /// <summary>Secrets only.</summary>
    public string? ContentType { get; init; }
    /// <summary>Replaces all tags when not null.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}
