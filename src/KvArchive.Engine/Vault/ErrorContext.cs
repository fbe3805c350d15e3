namespace KvArchive.Engine.Vault;

/// <summary>What a failed call was about, for <see cref="KvErrorMapper"/>.</summary>
internal readonly record struct ErrorContext(
    VaultIdentity Vault,
    VaultOperation Operation,
    KvObjectType? Type,
    string? Name,
    string? Version,
    KvCredentialKind CredentialKind,
    int MaxRetries,
    CancellationToken CancellationToken);
