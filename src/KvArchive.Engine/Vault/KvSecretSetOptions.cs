namespace KvArchive.Engine.Vault;

/// <summary>Properties of a new secret version. The service keeps only what a new version states.</summary>
public sealed class KvSecretSetOptions
{
    public string? ContentType { get; init; }
    public bool Enabled { get; init; } = true;
    public DateTimeOffset? ExpiresOn { get; init; }
    public DateTimeOffset? NotBefore { get; init; }
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}
