using System.Globalization;
using KvArchive.LocalVault.Auth;
using KvArchive.LocalVault.Http;

namespace KvArchive.LocalVault.Management;

/// <summary>
/// The managed-identity endpoint in the App Service / Azure Automation shape that Azure.Identity's
/// ManagedIdentityCredential calls when IDENTITY_ENDPOINT and IDENTITY_HEADER are set:
/// <c>GET {endpoint}?api-version=2019-08-01&amp;resource=…[&amp;client_id=…]</c> with <c>X-IDENTITY-HEADER</c>.
/// </summary>
public sealed class IdentityTokenEndpoint(TokenService tokens, IdentityRegistry identities, string identityHeader)
{
    public const string Path = "/_localvault/identity/token";
    private const int LifetimeSeconds = 24 * 3600;

    public Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method))
        {
            throw VaultErrors.MethodNotAllowed(request.Method, Path);
        }

        var header = request.Headers["X-IDENTITY-HEADER"].ToString();
        if (header.Length == 0 || !string.Equals(header, identityHeader, StringComparison.Ordinal))
        {
            throw new VaultErrorException(401, "Unauthorized", "The X-IDENTITY-HEADER header is missing or wrong.");
        }

        if (request.Query["api-version"].ToString().Length == 0)
        {
            throw VaultErrors.BadParameter("The api-version query parameter is required (2019-08-01).");
        }

        var resource = request.Query["resource"].ToString();
        if (resource.Length == 0)
        {
            throw VaultErrors.BadParameter("The resource query parameter is required.");
        }

        var clientId = request.Query["client_id"].ToString();
        if (clientId.Length == 0)
        {
            clientId = request.Query["clientid"].ToString();
        }

        PermissionSet permissions;
        string identity;
        if (clientId.Length == 0)
        {
            permissions = PermissionSet.All;
            identity = "system-assigned";
            clientId = IdentityRegistry.SystemAssignedClientId;
        }
        else
        {
            permissions = identities.Find(clientId) ?? throw VaultErrors.BadParameter($"Unknown managed identity client_id '{clientId}'. Define it with PUT /_localvault/identities/{{clientId}}.");
            identity = "user-assigned:" + clientId;
        }

        var (token, expiresOn) = tokens.Issue(identity, permissions.Names, LifetimeSeconds);
        return JsonResponse.SendAsync(context, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("access_token", token);
            w.WriteString("expires_on", expiresOn.ToString(CultureInfo.InvariantCulture));
            w.WriteString("resource", resource);
            w.WriteString("token_type", "Bearer");
            w.WriteString("client_id", clientId);
            w.WriteEndObject();
        });
    }
}
