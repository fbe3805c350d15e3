namespace KvArchive.LocalVault.Store;

/// <summary>
/// A certificate issuer (/certificates/issuers/{name}). The password is kept, never answered (the service answers
/// the account id only).
/// </summary>
public sealed record CertificateIssuer
{
    public required string Name { get; init; }

    public required string Provider { get; init; }

    public string? AccountId { get; init; }

    public string? Password { get; init; }

    public string? OrganizationId { get; init; }

    /// <summary>The admin_details array as JSON text (null: none).</summary>
    public string? AdminDetailsJson { get; init; }

    public bool Enabled { get; init; } = true;

    public long Created { get; init; }

    public long Updated { get; init; }
}
