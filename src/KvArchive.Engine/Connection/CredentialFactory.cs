using System.Runtime.InteropServices;
using System.Security;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Connection;

/// <summary>Maps <see cref="KvCredentialKind"/> to an Azure.Identity credential. None of them ever prompts.</summary>
internal static class CredentialFactory
{
    /// <summary>Creates the credential; its own HTTP calls (token endpoints) go through <paramref name="transport"/>.</summary>
    /// <exception cref="KvException">A parameter the kind needs is missing (InvalidArgument).</exception>
    public static TokenCredential Create(VaultConnectionOptions options, HttpPipelineTransport transport)
    {
        switch (options.CredentialKind)
        {
            case KvCredentialKind.Default:
            {
                var o = new DefaultAzureCredentialOptions
                {
                    // Runbooks and CI have no one to click a browser; these sources would prompt or need an IDE.
                    ExcludeInteractiveBrowserCredential = true,
                    ExcludeBrokerCredential = true,
                    ExcludeVisualStudioCredential = true,
                    ExcludeVisualStudioCodeCredential = true,
                    ExcludeAzureDeveloperCliCredential = true,
                    ExcludeEnvironmentCredential = false,
                    ExcludeWorkloadIdentityCredential = false,
                    ExcludeManagedIdentityCredential = false,
                    ExcludeAzureCliCredential = false,
                    ExcludeAzurePowerShellCredential = false,
                    Transport = transport,
                };
                if (!string.IsNullOrEmpty(options.TenantId))
                {
                    o.TenantId = options.TenantId;
                }

                if (!string.IsNullOrEmpty(options.ManagedIdentityClientId))
                {
                    o.ManagedIdentityClientId = options.ManagedIdentityClientId;
                }

                return new DefaultAzureCredential(o);
            }

            case KvCredentialKind.ServicePrincipal:
            {
                Require(options.TenantId, "-TenantId", "a service principal");
                Require(options.ClientId, "-Credential (user name: the application id)", "a service principal");
                if (options.ClientSecret is null || options.ClientSecret.Length == 0)
                {
                    throw Missing("-Credential (password: the client secret)", "a service principal");
                }

                return new ClientSecretCredential(options.TenantId, options.ClientId, ToPlain(options.ClientSecret), new ClientSecretCredentialOptions { Transport = transport });
            }

            case KvCredentialKind.ManagedIdentity:
            {
                var clientId = options.ManagedIdentityClientId ?? options.ClientId;
                var id = string.IsNullOrEmpty(clientId) ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(clientId);
                return new ManagedIdentityCredential(new ManagedIdentityCredentialOptions(id) { Transport = transport });
            }

            case KvCredentialKind.AzureCli:
            {
                var o = new AzureCliCredentialOptions { Transport = transport };
                if (!string.IsNullOrEmpty(options.TenantId))
                {
                    o.TenantId = options.TenantId;
                }

                return new AzureCliCredential(o);
            }

            case KvCredentialKind.AzurePowerShell:
            {
                var o = new AzurePowerShellCredentialOptions { Transport = transport };
                if (!string.IsNullOrEmpty(options.TenantId))
                {
                    o.TenantId = options.TenantId;
                }

                return new AzurePowerShellCredential(o);
            }

            case KvCredentialKind.AccessToken:
                if (options.AccessToken is null || options.AccessToken.Length == 0)
                {
                    throw Missing("-AccessToken", "an access token");
                }

                return new StaticTokenCredential(ToPlain(options.AccessToken));

            default:
                throw new KvException(KvErrorKind.InvalidArgument, KvErrorIds.InvalidArgument, $"Unknown credential kind '{options.CredentialKind}'.");
        }
    }

    /// <summary>What a credential kind is called in messages.</summary>
    public static string Describe(KvCredentialKind kind) => kind switch
    {
        KvCredentialKind.Default => "the default credential chain (environment, workload identity, managed identity, Azure CLI, Azure PowerShell)",
        KvCredentialKind.ServicePrincipal => "the service principal",
        KvCredentialKind.ManagedIdentity => "the managed identity",
        KvCredentialKind.AzureCli => "the Azure CLI account",
        KvCredentialKind.AzurePowerShell => "the Azure PowerShell account",
        KvCredentialKind.AccessToken => "the access token",
        _ => kind.ToString(),
    };

    /// <summary>The next step when a kind could not get a token (named parameters of the KvArchive cmdlets).</summary>
    public static string Hint(KvCredentialKind kind) => kind switch
    {
        KvCredentialKind.Default => "Sign in with 'az login' or 'Connect-AzAccount', set AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, or run where a managed identity is assigned; or pass -AccessToken, -Credential with -TenantId (a service principal), or -CredentialKind.",
        KvCredentialKind.ServicePrincipal => "Check -Credential (user name: the application id, password: its client secret, which may have expired) and -TenantId.",
        KvCredentialKind.ManagedIdentity => "Run where a managed identity is assigned (Azure VM, App Service, Functions, Automation); for a user-assigned identity pass -ManagedIdentityClientId.",
        KvCredentialKind.AzureCli => "Sign in with 'az login' (and 'az account set') first, or choose another -CredentialKind.",
        KvCredentialKind.AzurePowerShell => "Sign in with 'Connect-AzAccount' first, or choose another -CredentialKind.",
        KvCredentialKind.AccessToken => "Pass a current token for the vault's resource (e.g. from 'az account get-access-token --resource https://vault.azure.net') with -AccessToken.",
        _ => string.Empty,
    };

    private static void Require(string? value, string parameter, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Missing(parameter, what);
        }
    }

    private static KvException Missing(string parameter, string what)
        => new(KvErrorKind.Unauthenticated, KvErrorIds.Unauthenticated, $"Signing in as {what} needs {parameter}; pass it.");

    private static string ToPlain(SecureString secure)
    {
        var ptr = Marshal.SecureStringToGlobalAllocUnicode(secure);
        try
        {
            return Marshal.PtrToStringUni(ptr, secure.Length);
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(ptr);
        }
    }
}
