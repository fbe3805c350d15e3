using System.Management.Automation;
using System.Security;
using KvArchive.Engine.Connection;
using KvArchive.Engine.Vault;
using KvArchive.Hosting;

namespace KvArchive.Commands;

/// <summary>
/// The parameters that say which vault and which sign-in, shared by every cmdlet that talks to a vault. One
/// vault client per vault per invocation, kept here and reused for every pipeline object.
/// </summary>
public abstract class KvVaultCommandBase : KvCommandBase
{
    private readonly Dictionary<string, object> _clients = new(StringComparer.OrdinalIgnoreCase);
    private object? _observer;

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
            return VaultUri;
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

    /// <summary>The client of a vault, created on first use and reused for the rest of the invocation.</summary>
    internal IVaultClient GetClient(Uri vaultUri)
    {
        var key = vaultUri.GetLeftPart(UriPartial.Authority);
        if (_clients.TryGetValue(key, out var existing))
        {
            return (IVaultClient)existing;
        }

        IVaultClient client;
        try
        {
            client = VaultClientFactory.Create(BuildOptions(vaultUri), (IRequestObserver?)_observer);
        }
        catch (KvException e)
        {
            ThrowTerminatingError(KvErrorRecords.Create(e, vaultUri));
            throw;
        }

        _clients[key] = client;
        WriteVerbose($"Connected to vault {client.VaultName} ({client.VaultUri}).");
        return client;
    }

    /// <summary>
    /// Makes every client this command creates report its responses to an observer (a transfer session's rate
    /// limiter), so the command's own listing and the session's work share one client per vault and one rate.
    /// Call it before the first <see cref="GetClient(Uri)"/>.
    /// </summary>
    internal void ObserveRequestsWith(IRequestObserver observer) => _observer = observer;

    /// <summary>The client factory handed to a transfer session: this command's own clients.</summary>
    internal IVaultClient SessionClient(Uri vaultUri, IRequestObserver observer)
    {
        _observer ??= observer;
        return GetClient(vaultUri);
    }

    /// <summary>The client of the vault the parameters name.</summary>
    internal IVaultClient GetClient() => GetClient(ResolveVaultUri());

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
            foreach (var client in _clients.Values)
            {
                (client as IDisposable)?.Dispose();
            }

            _clients.Clear();
        }

        base.Dispose(disposing);
    }
}
