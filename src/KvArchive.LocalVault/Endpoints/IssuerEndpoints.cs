using System.Text.Json;
using KvArchive.LocalVault.Http;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Endpoints;

/// <summary>
/// /certificates/issuers: list, get, set (PUT), update (PATCH, merging over the stored issuer) and delete, with the
/// recorded answer shape (credentials without the password, org_details with "zip": 0, attributes).
/// </summary>
public static class IssuerEndpoints
{
    public static Task HandleAsync(VaultCall call) => call.Route.Operation switch
    {
        VaultOperation.CertificateIssuerList => ListAsync(call),
        VaultOperation.CertificateIssuerGet => AnswerAsync(call, Find(call)),
        VaultOperation.CertificateIssuerDelete => AnswerAsync(call, Delete(call)),
        _ => SetAsync(call, patch: call.Http.Request.Method == "PATCH"),
    };

    private static CertificateIssuer Find(VaultCall call)
    {
        var name = ObjectNames.Validate(call.Name);
        lock (call.Vault.Gate)
        {
            return call.Vault.Issuers.TryGetValue(name, out var issuer) ? issuer : throw NotFound();
        }
    }

    private static CertificateIssuer Delete(VaultCall call)
    {
        var name = ObjectNames.Validate(call.Name);
        var vault = call.Vault;
        lock (vault.Gate)
        {
            if (!vault.Issuers.Remove(name, out var issuer))
            {
                throw NotFound();
            }

            vault.MarkDirty();
            return issuer;
        }
    }

    private static async Task SetAsync(VaultCall call, bool patch)
    {
        var name = ObjectNames.Validate(call.Name);
        if (name.Equals("Self", StringComparison.OrdinalIgnoreCase) || name.Equals("Unknown", StringComparison.OrdinalIgnoreCase))
        {
            throw VaultErrors.BadParameter($"'{name}' is a reserved issuer name.");
        }

        string? provider;
        string? accountId, password, organizationId, adminDetails;
        bool? enabled;
        bool hasCredentials, hasOrganization;
        using (var body = await call.ReadBodyAsync())
        {
            var root = body.RootElement;
            provider = JsonInput.String(root, "provider");
            var credentials = JsonInput.Object(root, "credentials");
            hasCredentials = credentials is not null;
            accountId = credentials is { } c ? JsonInput.String(c, "account_id") : null;
            password = credentials is { } c2 ? JsonInput.String(c2, "pwd") : null;
            var organization = JsonInput.Object(root, "org_details");
            hasOrganization = organization is not null;
            organizationId = organization is { } o ? JsonInput.String(o, "id") : null;
            adminDetails = organization is { } o2 ? AdminDetails(o2) : null;
            enabled = JsonInput.Object(root, "attributes") is { } a ? JsonInput.Bool(a, "enabled") : null;
        }

        if (!patch && string.IsNullOrEmpty(provider))
        {
            throw VaultErrors.BadParameter("Property 'provider' is required.");
        }

        var vault = call.Vault;
        CertificateIssuer issuer;
        lock (vault.Gate)
        {
            CertificateIssuer? current = null;
            if (patch && !vault.Issuers.TryGetValue(name, out current))
            {
                throw NotFound();
            }

            issuer = current is null
                ? new CertificateIssuer
                {
                    Name = name,
                    Provider = provider!,
                    AccountId = accountId,
                    Password = password,
                    OrganizationId = organizationId,
                    AdminDetailsJson = adminDetails,
                    Enabled = enabled ?? true,
                    Created = vault.Issuers.TryGetValue(name, out var replaced) ? replaced.Created : call.NowSeconds,
                    Updated = call.NowSeconds,
                }
                : current with
                {
                    Provider = string.IsNullOrEmpty(provider) ? current.Provider : provider,
                    AccountId = hasCredentials ? accountId : current.AccountId,
                    Password = hasCredentials ? password : current.Password,
                    OrganizationId = hasOrganization ? organizationId : current.OrganizationId,
                    AdminDetailsJson = hasOrganization ? adminDetails : current.AdminDetailsJson,
                    Enabled = enabled ?? current.Enabled,
                    Updated = call.NowSeconds,
                };
            vault.Issuers[name] = issuer;
            vault.MarkDirty();
        }

        await AnswerAsync(call, issuer);
    }

    /// <summary>admin_details validated as an array of objects with string fields, kept as JSON text.</summary>
    private static string? AdminDetails(JsonElement organization)
    {
        if (!organization.TryGetProperty("admin_details", out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw VaultErrors.BadParameter("Property 'admin_details' must be an array.");
        }

        foreach (var admin in list.EnumerateArray())
        {
            if (admin.ValueKind != JsonValueKind.Object)
            {
                throw VaultErrors.BadParameter("Each of 'admin_details' must be an object.");
            }

            foreach (var field in new[] { "first_name", "last_name", "email", "phone" })
            {
                JsonInput.String(admin, field);
            }
        }

        return list.GetRawText();
    }

    private static Task AnswerAsync(VaultCall call, CertificateIssuer issuer) => JsonResponse.SendAsync(call.Http, 200, w =>
    {
        w.WriteStartObject();
        w.WriteString("id", $"{call.Vault.BaseUri}/certificates/issuers/{issuer.Name}");
        w.WriteString("provider", issuer.Provider);
        if (issuer.AccountId is not null)
        {
            w.WriteStartObject("credentials");
            w.WriteString("account_id", issuer.AccountId);
            w.WriteEndObject();
        }

        w.WriteStartObject("org_details");
        if (issuer.OrganizationId is not null)
        {
            w.WriteString("id", issuer.OrganizationId);
        }

        w.WriteNumber("zip", 0);
        if (issuer.AdminDetailsJson is not null)
        {
            w.WritePropertyName("admin_details");
            w.WriteRawValue(issuer.AdminDetailsJson);
        }

        w.WriteEndObject();
        w.WriteStartObject("attributes");
        w.WriteBoolean("enabled", issuer.Enabled);
        w.WriteNumber("created", issuer.Created);
        w.WriteNumber("updated", issuer.Updated);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static async Task ListAsync(VaultCall call)
    {
        var request = Pager.Parse(call.Http.Request);
        var vault = call.Vault;
        List<CertificateIssuer> all;
        lock (vault.Gate)
        {
            all = [.. vault.Issuers.Values.OrderBy(i => i.Name, StringComparer.OrdinalIgnoreCase)];
        }

        var start = request.Marker is null ? 0 : all.FindIndex(i => string.Compare(i.Name, request.Marker, StringComparison.OrdinalIgnoreCase) > 0);
        var page = Pager.Scan(request, vault.Settings.PageShape, all.Count, start < 0 ? all.Count : start, i => all[i].Name, i => all[i]);
        using var json = new JsonResponse();
        var w = json.Writer;
        w.WriteStartObject();
        w.WriteStartArray("value");
        foreach (var issuer in page.Items)
        {
            w.WriteStartObject();
            w.WriteString("id", $"{vault.BaseUri}/certificates/issuers/{issuer.Name}");
            w.WriteString("provider", issuer.Provider);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        Pager.WriteNextLink(w, call, request, page);
        w.WriteEndObject();
        await json.SendAsync(call.Http);
    }

    private static VaultErrorException NotFound() => new(404, "CertificateIssuerNotFound", "Issuer not found");
}
