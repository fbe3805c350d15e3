using System.Security;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Storage;

/// <summary>
/// How to reach an archive kept in Azure Blob Storage (an http(s) archive path). The first that applies signs the
/// requests: a SAS in the URL (its query holds <c>sig=</c>); <see cref="ConnectionString"/> (Azurite, or an account
/// key); for an Azurite URL on a loopback host with the account <c>devstoreaccount1</c>, Azurite's published
/// development key; otherwise the same credential chain as the vault (<see cref="CredentialKind"/>: managed identity
/// in a runbook, a service principal, the default chain). No Azure type appears here.
/// </summary>
public sealed class ArchiveStorageOptions
{
    /// <summary>The environment variable read when <see cref="ConnectionString"/> is not given.</summary>
    public const string ConnectionStringVariable = "KVARCHIVE_STORAGE_CONNECTION_STRING";

    /// <summary>
    /// A storage connection string (<c>DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…;BlobEndpoint=…</c>).
    /// Defaults to the KVARCHIVE_STORAGE_CONNECTION_STRING environment variable. It holds a key: it never appears
    /// in output or errors.
    /// </summary>
    public string? ConnectionString { get; init; } = Environment.GetEnvironmentVariable(ConnectionStringVariable);

    /// <summary>Which credential signs requests when neither a SAS nor a connection string does.</summary>
    public KvCredentialKind CredentialKind { get; init; } = KvCredentialKind.Default;

    /// <summary>Tenant for a service principal or the default chain.</summary>
    public string? TenantId { get; init; }

    /// <summary>Service principal application (client) id.</summary>
    public string? ClientId { get; init; }

    /// <summary>Service principal secret.</summary>
    public SecureString? ClientSecret { get; init; }

    /// <summary>User-assigned managed identity client id.</summary>
    public string? ManagedIdentityClientId { get; init; }

    /// <summary>Most retries of a failed request (a dropped connection, a 5xx, a 429) before it is final.</summary>
    public int MaxRetries { get; init; } = 8;

    /// <summary>How long one request may wait for the service.</summary>
    public TimeSpan NetworkTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>Size of the blocks a backup stages while it runs (4 MiB; memory holds one at a time).</summary>
    public int BlockSize { get; init; } = 4 << 20;

    /// <summary>Size of one ranged read of an archive (1 MiB).</summary>
    public int ChunkSize { get; init; } = 1 << 20;

    /// <summary>How many chunks a reader keeps (8: at most 8 MiB per open archive).</summary>
    public int CachedChunks { get; init; } = 8;

    /// <summary>Extra pipeline policies on every request (tests count requests with them); none in the module.</summary>
    internal IReadOnlyList<Azure.Core.Pipeline.HttpPipelinePolicy> Policies { get; init; } = [];

    /// <summary>The same sign-in as a vault's: what <c>-CredentialKind</c>, <c>-Credential</c> and the rest gave it.</summary>
    public static ArchiveStorageOptions From(VaultConnectionOptions vault)
    {
        ArgumentNullException.ThrowIfNull(vault);
        return new ArchiveStorageOptions
        {
            CredentialKind = vault.CredentialKind,
            TenantId = vault.TenantId,
            ClientId = vault.ClientId,
            ClientSecret = vault.ClientSecret,
            ManagedIdentityClientId = vault.ManagedIdentityClientId,
            MaxRetries = vault.MaxRetries,
            NetworkTimeout = vault.NetworkTimeout,
        };
    }
}
