namespace KvArchive;

/// <summary>
/// Which sign-in the vault cmdlets use when no explicit credential (-AccessToken, -Credential,
/// -ManagedIdentityClientId) is given.
/// </summary>
public enum CredentialKind
{
    /// <summary>
    /// The default chain: environment variables (AZURE_CLIENT_ID/AZURE_CLIENT_SECRET/AZURE_TENANT_ID), workload
    /// identity, managed identity (as in Azure Automation), Azure CLI, Azure PowerShell.
    /// </summary>
    Default,

    /// <summary>The managed identity of the machine, App Service or Automation account (system-assigned).</summary>
    ManagedIdentity,

    /// <summary>The account signed in with <c>az login</c>.</summary>
    AzureCli,

    /// <summary>The account signed in with <c>Connect-AzAccount</c>.</summary>
    AzurePowerShell,
}
