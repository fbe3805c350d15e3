namespace KvArchive.Engine.Vault;

/// <summary>Properties of a new secret version. The service keeps only what a new version states.</summary>
public sealed class KvSecretSetOptions
{
    /// <summary>The content type (a hint for readers of the value, e.g. application/json).</summary>
    public string? ContentType { get; init; }
    /// <summary>Whether the version may be read (default true).</summary>
    public bool Enabled { get; init; } = true;
    /// <summary>The expiry date (UTC); null for none.</summary>
    public DateTimeOffset? ExpiresOn { get; init; }
    /// <summary>The activation date (UTC); null for none.</summary>
    public DateTimeOffset? NotBefore { get; init; }
    /// <summary>Tags as name/value pairs; null for none.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}
