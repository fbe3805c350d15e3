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
                Require(options.TenantId, "its tenant id", KvCredentialKind.ServicePrincipal);
                Require(options.ClientId, "its application (client) id", KvCredentialKind.ServicePrincipal);
                if (options.ClientSecret is null || options.ClientSecret.Length == 0)
                {
                    throw Missing("its client secret", KvCredentialKind.ServicePrincipal);
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
                    throw Missing("a token", KvCredentialKind.AccessToken);
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

    private static void Require(string? value, string what, KvCredentialKind kind)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Missing(what, kind);
        }
    }

    private static KvException Missing(string what, KvCredentialKind kind)
        => new(KvErrorKind.Unauthenticated, KvErrorIds.Unauthenticated, $"Signing in with {Describe(kind)} needs {what}, and none was given.") { CredentialKind = kind };

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
