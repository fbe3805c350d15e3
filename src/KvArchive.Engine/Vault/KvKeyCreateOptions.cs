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
    public bool Enabled { get; init; } = true;
    public DateTimeOffset? ExpiresOn { get; init; }
    public DateTimeOffset? NotBefore { get; init; }
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}
