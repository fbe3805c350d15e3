// Longer than the ~350-line guide on purpose: the one route table of /_localvault (vaults, tokens, identities, faults, clock, stats, seeding); each handler is a few lines and they share the key check and the JSON shapes.
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KvArchive.LocalVault.Auth;
using KvArchive.LocalVault.Http;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Management;

/// <summary>
/// The /_localvault endpoints (any host, header x-localvault-key): vaults, tokens, identities, faults, clock,
/// statistics and seeding. Health and the identity endpoint need no key.
/// </summary>
public sealed class ManagementApi(
    VaultRegistry vaults,
    TokenService tokens,
    IdentityRegistry identities,
    VaultClock clock,
    Seeder seeder,
    IdentityTokenEndpoint identityEndpoint,
    string managementKey,
    VaultSettings defaultSettings,
    Action<Vault> onVaultRemoved)
{
    public const string Prefix = "/_localvault";
    public const string KeyHeader = "x-localvault-key";
    private const int MaxTokenLifetimeSeconds = 31 * 86_400;

    private readonly byte[] _key = Encoding.UTF8.GetBytes(managementKey);

    public async Task HandleAsync(HttpContext context)
    {
        try
        {
            await RouteAsync(context);
        }
        catch (VaultErrorException e)
        {
            await ErrorWriter.WriteAsync(context, e);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"LocalVault: management {context.Request.Method} {context.Request.Path} failed: {e}");
            await ErrorWriter.WriteAsync(context, 500, "InternalServerError", "LocalVault failed to handle the management request (" + e.GetType().Name + ").");
        }
    }

    private async Task RouteAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "";
        var rest = path.Length > Prefix.Length ? path[(Prefix.Length + 1)..].TrimEnd('/') : "";
        var seg = rest.Split('/');
        var method = request.Method;
        if (rest == "health")
        {
            await JsonResponse.SendAsync(context, 200, w =>
            {
                w.WriteStartObject();
                w.WriteString("status", "ok");
                w.WriteEndObject();
            });
            return;
        }

        if (rest == "identity/token")
        {
            await identityEndpoint.HandleAsync(context);
            return;
        }

        CheckKey(request);
        switch (seg)
        {
            case ["tokens"] when method == "POST":
                await IssueTokenAsync(context);
                return;
            case ["vaults"] when method == "GET":
                await ListVaultsAsync(context);
                return;
            case ["vaults"] when method == "POST":
                await CreateVaultAsync(context);
                return;
            case ["vaults", var name]:
                await VaultAsync(context, method, RequireVault(name));
                return;
            case ["vaults", var name, "seed"] when method == "POST":
                await SeedAsync(context, RequireVault(name));
                return;
            case ["vaults", var name, "faults"]:
                await FaultsAsync(context, method, RequireVault(name));
                return;
            case ["vaults", var name, "stats"]:
                await StatsAsync(context, method, RequireVault(name));
                return;
            case ["clock"]:
                await ClockAsync(context, method);
                return;
            case ["identities"] when method == "GET":
                await ListIdentitiesAsync(context);
                return;
            case ["identities", var clientId]:
                await IdentityAsync(context, method, clientId);
                return;
            default:
                throw VaultErrors.RouteNotFound(path);
        }
    }

    private void CheckKey(HttpRequest request)
    {
        var given = Encoding.UTF8.GetBytes(request.Headers[KeyHeader].ToString());
        if (!CryptographicOperations.FixedTimeEquals(given, _key))
        {
            throw new VaultErrorException(401, "Unauthorized", $"The {KeyHeader} header is missing or wrong: management endpoints need the key LocalVault printed at start.");
        }
    }

    private Vault RequireVault(string name)
        => vaults.Find(name) ?? throw new VaultErrorException(404, "VaultNotFound", $"Vault '{name}' does not exist.");

    private async Task IssueTokenAsync(HttpContext context)
    {
        using var body = await RequestBody.TryReadObjectAsync(context.Request);
        var root = body?.RootElement;
        var identity = root is { } r ? JsonInput.String(r, "identity") ?? "localvault-user" : "localvault-user";
        var lifetime = root is { } r2 ? JsonInput.Int(r2, "lifetimeSeconds") ?? 3600 : 3600;
        if (lifetime is < -86_400 or > MaxTokenLifetimeSeconds)
        {
            throw VaultErrors.BadParameter($"lifetimeSeconds must be from -86400 (an expired token) to {MaxTokenLifetimeSeconds}.");
        }

        var permissions = root is { } r3 ? ReadPermissions(r3) : null;
        var (token, expiresOn) = tokens.Issue(identity, permissions, lifetime);
        await JsonResponse.SendAsync(context, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("access_token", token);
            w.WriteNumber("expires_on", expiresOn);
            w.WriteString("token_type", "Bearer");
            w.WriteEndObject();
        });
    }

    private async Task ListVaultsAsync(HttpContext context)
    {
        var nowMs = VaultClock.MonotonicMs;
        var nowSeconds = clock.NowSeconds;
        using var json = new JsonResponse();
        var w = json.Writer;
        w.WriteStartObject();
        w.WriteStartArray("value");
        foreach (var vault in vaults.All)
        {
            w.WriteStartObject();
            VaultSettingsReader.Write(w, vault);
            WriteCounts(w, vault, nowMs, nowSeconds);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        await json.SendAsync(context);
    }

    private async Task CreateVaultAsync(HttpContext context)
    {
        using var body = await RequestBody.ReadObjectAsync(context.Request);
        var root = body.RootElement;
        var name = JsonInput.String(root, "name") ?? throw VaultErrors.BadParameter("Property 'name' is required.");
        if (!VaultRegistry.IsValidName(name))
        {
            throw VaultErrors.BadParameter($"Invalid vault name '{name}': 1-63 characters of letters, digits and '-', starting with a letter or digit.");
        }

        var settings = VaultSettingsReader.Read(root, defaultSettings);
        var vault = vaults.TryCreate(name, settings) ?? throw new VaultErrorException(409, "Conflict", $"Vault '{name}' already exists.");
        vault.MarkDirty();
        await JsonResponse.SendAsync(context, 201, w =>
        {
            w.WriteStartObject();
            VaultSettingsReader.Write(w, vault);
            w.WriteEndObject();
        });
    }

    private async Task VaultAsync(HttpContext context, string method, Vault vault)
    {
        switch (method)
        {
            case "GET":
                break;
            case "PATCH":
                using (var body = await RequestBody.ReadObjectAsync(context.Request))
                {
                    lock (vault.Gate)
                    {
                        vault.Settings = VaultSettingsReader.Read(body.RootElement, vault.Settings);
                        vault.MarkDirty();
                    }
                }

                break;
            case "DELETE":
                if (vaults.Remove(vault.Name) is { } removed)
                {
                    onVaultRemoved(removed);
                }

                context.Response.StatusCode = 204;
                return;
            default:
                throw VaultErrors.MethodNotAllowed(method, context.Request.Path);
        }

        await JsonResponse.SendAsync(context, 200, w =>
        {
            w.WriteStartObject();
            VaultSettingsReader.Write(w, vault);
            WriteCounts(w, vault, VaultClock.MonotonicMs, clock.NowSeconds);
            w.WriteEndObject();
        });
    }

    private async Task SeedAsync(HttpContext context, Vault vault)
    {
        using var body = await RequestBody.TryReadObjectAsync(context.Request);
        var request = SeedRequest.Read(body?.RootElement);
        var result = seeder.Seed(vault, request);
        await JsonResponse.SendAsync(context, 200, result.WriteTo);
    }

    private async Task FaultsAsync(HttpContext context, string method, Vault vault)
    {
        switch (method)
        {
            case "PUT" or "POST":
                using (var body = await RequestBody.ReadObjectAsync(context.Request))
                {
                    vault.Faults = FaultPlanReader.Read(body.RootElement);
                }

                break;
            case "DELETE":
                vault.Faults = null;
                context.Response.StatusCode = 204;
                return;
            case "GET":
                break;
            default:
                throw VaultErrors.MethodNotAllowed(method, context.Request.Path);
        }

        await JsonResponse.SendAsync(context, 200, w => FaultPlanReader.Write(w, vault.Faults));
    }

    private async Task StatsAsync(HttpContext context, string method, Vault vault)
    {
        switch (method)
        {
            case "GET":
                await JsonResponse.SendAsync(context, 200, vault.Stats.WriteTo);
                return;
            case "DELETE":
                vault.Stats.Reset();
                context.Response.StatusCode = 204;
                return;
            default:
                throw VaultErrors.MethodNotAllowed(method, context.Request.Path);
        }
    }

    private async Task ClockAsync(HttpContext context, string method)
    {
        switch (method)
        {
            case "GET":
                break;
            case "PUT" or "POST":
                using (var body = await RequestBody.ReadObjectAsync(context.Request))
                {
                    var root = body.RootElement;
                    if (JsonInput.Long(root, "now") is { } now)
                    {
                        clock.SetNow(now);
                    }
                    else if (JsonInput.Long(root, "offsetSeconds") is { } offset)
                    {
                        clock.SetOffset(offset);
                    }
                    else
                    {
                        throw VaultErrors.BadParameter("Give 'offsetSeconds' or 'now' (Unix seconds).");
                    }
                }

                break;
            case "DELETE":
                clock.SetOffset(0);
                break;
            default:
                throw VaultErrors.MethodNotAllowed(method, context.Request.Path);
        }

        await JsonResponse.SendAsync(context, 200, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("now", clock.NowSeconds);
            w.WriteNumber("offsetSeconds", clock.OffsetSeconds);
            w.WriteEndObject();
        });
    }

    private async Task ListIdentitiesAsync(HttpContext context)
    {
        using var json = new JsonResponse();
        var w = json.Writer;
        w.WriteStartObject();
        w.WriteStartArray("value");
        foreach (var (clientId, permissions) in identities.All)
        {
            WriteIdentity(w, clientId, permissions);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        await json.SendAsync(context);
    }

    private async Task IdentityAsync(HttpContext context, string method, string clientId)
    {
        switch (method)
        {
            case "PUT" or "POST":
                using (var body = await RequestBody.TryReadObjectAsync(context.Request))
                {
                    var permissions = PermissionSet.From(body is null ? null : ReadPermissions(body.RootElement));
                    identities.Define(clientId, permissions);
                    await JsonResponse.SendAsync(context, 200, w => WriteIdentity(w, clientId, permissions));
                }

                return;
            case "GET":
                var found = identities.Find(clientId) ?? throw new VaultErrorException(404, "NotFound", $"Identity '{clientId}' is not defined.");
                await JsonResponse.SendAsync(context, 200, w => WriteIdentity(w, clientId, found));
                return;
            case "DELETE":
                identities.Remove(clientId);
                context.Response.StatusCode = 204;
                return;
            default:
                throw VaultErrors.MethodNotAllowed(method, context.Request.Path);
        }
    }

    private static void WriteIdentity(Utf8JsonWriter w, string clientId, PermissionSet permissions)
    {
        w.WriteStartObject();
        w.WriteString("clientId", clientId);
        if (permissions.Names is { } names)
        {
            w.WriteStartArray("permissions");
            foreach (var n in names)
            {
                w.WriteStringValue(n);
            }

            w.WriteEndArray();
        }
        else
        {
            w.WriteNull("permissions");
        }

        w.WriteEndObject();
    }

    /// <summary>"permissions": null/absent = all; otherwise valid names ({secrets|keys|certificates}/{op|*} or *).</summary>
    private static IReadOnlyList<string>? ReadPermissions(JsonElement body)
    {
        var list = JsonInput.StringArray(body, "permissions");
        if (list is null)
        {
            return null;
        }

        foreach (var p in list)
        {
            var slash = p.IndexOf('/', StringComparison.Ordinal);
            var valid = p == "*" || (slash > 0 && slash < p.Length - 1 && p[..slash] is "secrets" or "keys" or "certificates" && p[(slash + 1)..].All(c => char.IsAsciiLetter(c) || c == '*'));
            if (!valid)
            {
                throw VaultErrors.BadParameter($"Invalid permission '{p}': use {{secrets|keys|certificates}}/{{get|list|set|delete|recover|purge|backup|restore|update|create|import}}, 'secrets/*' or '*'.");
            }
        }

        return list;
    }

    private static void WriteCounts(Utf8JsonWriter w, Vault vault, long nowMs, long nowSeconds)
    {
        int secrets, keys, certificates, deleted;
        lock (vault.Gate)
        {
            secrets = Count(vault.Secrets, false, nowMs, nowSeconds);
            keys = Count(vault.Keys, false, nowMs, nowSeconds);
            certificates = Count(vault.Certificates, false, nowMs, nowSeconds);
            deleted = Count(vault.Secrets, true, nowMs, nowSeconds) + Count(vault.Keys, true, nowMs, nowSeconds) + Count(vault.Certificates, true, nowMs, nowSeconds);
        }

        w.WriteStartObject("counts");
        w.WriteNumber("secrets", secrets);
        w.WriteNumber("keys", keys);
        w.WriteNumber("certificates", certificates);
        w.WriteNumber("deleted", deleted);
        w.WriteEndObject();
    }

    private static int Count<TEntry>(ObjectCollection<TEntry> collection, bool deleted, long nowMs, long nowSeconds)
        where TEntry : ObjectEntry
    {
        var n = 0;
        foreach (var e in collection.Entries)
        {
            var state = SoftDeleteStateMachine.Effective(e, nowMs, nowSeconds);
            if (e.VersionCount > 0 && (deleted ? state == EntryState.Deleted : state == EntryState.Active))
            {
                n++;
            }
        }

        return n;
    }
}
