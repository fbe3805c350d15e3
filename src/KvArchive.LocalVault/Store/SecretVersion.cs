namespace KvArchive.LocalVault.Store;

/// <summary>A secret version: its value and content type.</summary>
public sealed record SecretVersion : ObjectVersion
{
    public required string Value { get; init; }

    public string? ContentType { get; init; }
}
