using System.Management.Automation;
using System.Security;
using KvArchive.Engine.Connection;
using KvArchive.Engine.Storage;
using KvArchive.Engine.Vault;
using KvArchive.Hosting;

namespace KvArchive.Commands;

/// <summary>
/// The parameters that say which vault and which sign-in, shared by every cmdlet that talks to a vault. One
/// vault client per vault per invocation, owned by the command's <see cref="VaultClients"/> and reused for every
/// pipeline object (and lent to a transfer session).
/// </summary>
public abstract class KvVaultCommandBase : KvCommandBase
{
    // object, not VaultClients: a field of an engine type would load the engine when PowerShell reflects over
    // this class at import, before the module's resolver exists.
    private object? _clients;

    /// <summary>The vault's name in the public cloud (https://NAME.vault.azure.net/). First position, as in Az.KeyVault.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? VaultName { get; set; }

    /// <summary>The vault's URI (sovereign clouds, private endpoints, LocalVault). Wins over -VaultName.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    public Uri? VaultUri { get; set; }

    /// <summary>A bearer token for the vault that the caller already has.</summary>
    [Parameter]
    [ValidateNotNull]
    public SecureString? AccessToken { get; set; }

    /// <summary>A service principal: UserName is the application (client) id, Password its client secret.</summary>
    [Parameter]
    [ValidateNotNull]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>The Microsoft Entra tenant of the service principal or of the default chain.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TenantId { get; set; }

    /// <summary>The client id of a user-assigned managed identity.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Which sign-in to use when no explicit credential is given.</summary>
    [Parameter]
    public CredentialKind CredentialKind { get; set; } = CredentialKind.Default;

    /// <summary>The vault URI the parameters name; stops the command when there is none.</summary>
    internal Uri ResolveVaultUri()
    {
        if (VaultUri is not null)
        {
            // Checked here, once: a relative or IP-literal URI is refused with KvInvalidVault before any client exists.
            try
            {
                return VaultAddress.Normalize(VaultUri);
            }
            catch (KvException e)
            {
                ThrowTerminatingError(KvErrorRecords.Create(e, VaultUri.OriginalString));
            }
        }

        if (!string.IsNullOrEmpty(VaultName))
        {
            try
            {
                return VaultAddress.FromVaultName(VaultName);
            }
            catch (KvException e)
            {
                ThrowTerminatingError(KvErrorRecords.Create(e, VaultName));
            }
        }

        ThrowTerminatingError(KvErrorRecords.Create(KvErrorIds.InvalidVault, ErrorCategory.InvalidArgument,
            "No vault given. Pass -VaultName (public cloud) or -VaultUri (any cloud, private endpoint, LocalVault).", null));
        return null!;
    }

    /// <summary>
    /// This command's vault clients: the one owner of them, created on first use (or by <see cref="OpenClients"/>)
    /// and disposed once with the command. Transfer sessions borrow them.
    /// </summary>
    internal VaultClients Clients => (VaultClients)(_clients ??= NewClients(null));

    /// <summary>
    /// Creates this command's clients with a request observer (a transfer's rate limiter) attached from the start;
    /// call it in BeginProcessing, before any client is used.
    /// </summary>
    internal VaultClients OpenClients(IRequestObserver observer)
    {
        if (_clients is not null)
        {
            throw new InvalidOperationException("The command's vault clients were created before their request observer was given.");
        }

        var clients = NewClients(observer);
        _clients = clients;
        return clients;
    }

    /// <summary>The client of a vault, created on first use and reused for the rest of the invocation.</summary>
    internal IVaultClient GetClient(Uri vaultUri)
    {
        try
        {
            return Clients.Get(vaultUri);
        }
        catch (KvException e)
        {
            ThrowTerminatingError(KvErrorRecords.Create(e, vaultUri));
            throw;
        }
    }

    /// <summary>The client of the vault the parameters name.</summary>
    internal IVaultClient GetClient() => GetClient(ResolveVaultUri());

    private VaultClients NewClients(IRequestObserver? observer) => new(uri => VaultClientFactory.Create(BuildOptions(uri), observer))
    {
        Created = client => WriteVerbose($"Connected to vault {client.VaultName} ({client.VaultUri})."),
    };

    /// <summary>
    /// How to reach archives given as blob URLs: the same credential as the vault (a SAS in the URL or
    /// KVARCHIVE_STORAGE_CONNECTION_STRING take precedence, see <see cref="ArchiveStorageOptions"/>).
    /// </summary>
    internal ArchiveStorageOptions BuildStorageOptions() => ArchiveStorageOptions.From(BuildOptions(new Uri("https://storage.invalid/")));

    /// <summary>Connection options for a vault from the parameters (also used by the transfer cmdlets' own clients).</summary>
    internal VaultConnectionOptions BuildOptions(Uri vaultUri)
    {
        var explicitKinds = (AccessToken is null ? 0 : 1) + (Credential is null ? 0 : 1) + (ManagedIdentityClientId is null ? 0 : 1)
            + (MyInvocation.BoundParameters.ContainsKey(nameof(CredentialKind)) ? 1 : 0);
        if (explicitKinds > 1 && !(ManagedIdentityClientId is not null && CredentialKind == CredentialKind.ManagedIdentity && explicitKinds == 2))
        {
            ThrowTerminatingError(KvErrorRecords.Create(KvErrorIds.InvalidArgument, ErrorCategory.InvalidArgument,
                "Pass only one of -AccessToken, -Credential, -ManagedIdentityClientId and -CredentialKind.", vaultUri));
        }

        if (Credential is not null && string.IsNullOrEmpty(TenantId))
        {
            ThrowTerminatingError(KvErrorRecords.Create(KvErrorIds.InvalidArgument, ErrorCategory.InvalidArgument,
                "A service principal (-Credential) needs its tenant: add -TenantId.", vaultUri));
        }

        var kind = AccessToken is not null ? KvCredentialKind.AccessToken
            : Credential is not null ? KvCredentialKind.ServicePrincipal
            : ManagedIdentityClientId is not null || CredentialKind == CredentialKind.ManagedIdentity ? KvCredentialKind.ManagedIdentity
            : CredentialKind switch
            {
                CredentialKind.AzureCli => KvCredentialKind.AzureCli,
                CredentialKind.AzurePowerShell => KvCredentialKind.AzurePowerShell,
                _ => KvCredentialKind.Default,
            };
        var defaults = new VaultConnectionOptions { VaultUri = vaultUri };
        var retryDelay = RetryTuning.Milliseconds(RetryTuning.RetryDelayVariable) ?? defaults.RetryDelay;
        return new VaultConnectionOptions
        {
            VaultUri = vaultUri,
            CredentialKind = kind,
            TenantId = TenantId,
            ClientId = Credential?.UserName,
            ClientSecret = Credential?.Password,
            ManagedIdentityClientId = ManagedIdentityClientId,
            AccessToken = AccessToken,
            MaxRetries = RetryTuning.Integer(RetryTuning.MaxRetriesVariable) ?? defaults.MaxRetries,
            RetryDelay = retryDelay,
            MaxRetryDelay = retryDelay > defaults.MaxRetryDelay ? retryDelay : defaults.MaxRetryDelay,
        };
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            (_clients as IDisposable)?.Dispose();
            _clients = null;
        }

        base.Dispose(disposing);
    }
}
