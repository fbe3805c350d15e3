namespace KvArchive.Engine.Vault;

/// <summary>Options of a new key (software-protected RSA or EC).</summary>
public sealed class KvKeyCreateOptions
{
    /// <summary>"RSA" or "EC".</summary>
    public string KeyType { get; init; } = "RSA";
    /// <summary>RSA size: 2048, 3072 or 4096.</summary>
    public int? KeySize { get; init; }
    /// <summary>EC curve: P-256, P-384 or P-521.</summary>
    public string? CurveName { get; init; }
    /// <summary>Key operations; null lets the service choose.</summary>
    public IReadOnlyList<string>? KeyOperations { get; init; }
    /// <summary>Whether the key may be used (default true).</summary>
    public bool Enabled { get; init; } = true;
    /// <summary>The expiry date (UTC); null for none.</summary>
    public DateTimeOffset? ExpiresOn { get; init; }
    /// <summary>The activation date (UTC); null for none.</summary>
    public DateTimeOffset? NotBefore { get; init; }
    /// <summary>Tags as name/value pairs; null for none.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}
