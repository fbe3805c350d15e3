using System.Security;

namespace KvArchive.Engine.Vault;

/// <summary>How to authenticate to a vault. No Azure type appears here, so cmdlets need none.</summary>
public enum KvCredentialKind
{
    /// <summary>The DefaultAzureCredential chain: environment, workload identity, managed identity, Azure CLI, Azure PowerShell.</summary>
    Default,
    /// <summary>A service principal with a client secret.</summary>
    ServicePrincipal,
    /// <summary>A managed identity (system-assigned, or user-assigned by client id).</summary>
    ManagedIdentity,
    /// <summary>The Azure CLI's signed-in account.</summary>
    AzureCli,
    /// <summary>Azure PowerShell's signed-in account.</summary>
    AzurePowerShell,
    /// <summary>A bearer token the caller already has.</summary>
    AccessToken,
}

/// <summary>Where a vault is and how to reach it.</summary>
public sealed class VaultConnectionOptions
{
    /// <summary>The vault URI (https).</summary>
    public required Uri VaultUri { get; init; }

    /// <summary>Which credential to use.</summary>
    public KvCredentialKind CredentialKind { get; init; } = KvCredentialKind.Default;

    /// <summary>Tenant for service principal / default chain.</summary>
    public string? TenantId { get; init; }

    /// <summary>Service principal application (client) id.</summary>
    public string? ClientId { get; init; }

    /// <summary>Service principal secret.</summary>
    public SecureString? ClientSecret { get; init; }

    /// <summary>User-assigned managed identity client id.</summary>
    public string? ManagedIdentityClientId { get; init; }

    /// <summary>A bearer token for <see cref="KvCredentialKind.AccessToken"/>.</summary>
    public SecureString? AccessToken { get; init; }

    /// <summary>
    /// A PEM certificate to trust as an extra root, honoured only for loopback / *.localhost hosts (LocalVault).
    /// Defaults to the KVARCHIVE_TRUSTED_CERTIFICATE environment variable. Validation is never turned off.
    /// </summary>
    public string? TrustedCertificatePath { get; init; }

    /// <summary>Most retries of a transient failure or 429 before it is final.</summary>
    public int MaxRetries { get; init; } = 8;

    /// <summary>First retry delay; later ones grow exponentially with jitter (a Retry-After header wins).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(0.8);

    /// <summary>Longest delay between two retries when the service gives no Retry-After.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one attempt may wait for the service before it counts as a transient failure.</summary>
    public TimeSpan NetworkTimeout { get; init; } = TimeSpan.FromSeconds(100);
}
