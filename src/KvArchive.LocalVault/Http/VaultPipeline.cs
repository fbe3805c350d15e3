using KvArchive.LocalVault.Auth;
using KvArchive.LocalVault.Endpoints;
using KvArchive.LocalVault.Faults;
using KvArchive.LocalVault.Persistence;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Http;

/// <summary>
/// Every vault call: authenticate first (the 401 challenge comes before routing or reading the body), then the
/// vault from the Host header, api-version, route, permission, faults, budget, handler. Errors of any step are
/// written by <see cref="ErrorWriter"/>; each call is counted in the vault's statistics. With a data directory, the
/// answer of every operation that may change state (<see cref="OperationTraits.Mutates"/>) waits until the change is
/// durable (<see cref="DurabilityGate"/>), whatever the endpoint.
/// </summary>
public sealed class VaultPipeline(VaultRegistry vaults, TokenService tokens, VaultClock clock, EndpointRouter endpoints, TextWriter errorLog, DurabilityGate? durability = null)
{
    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        response.Headers["x-ms-request-id"] = Guid.NewGuid().ToString();
        var clientRequestId = request.Headers["x-ms-client-request-id"];
        if (clientRequestId.Count > 0)
        {
            response.Headers["x-ms-client-request-id"] = clientRequestId;
        }

        response.Headers.CacheControl = "no-cache";
        var vault = vaults.FindByHost(HostHeader.HostName(request));
        try
        {
            var grant = Authenticate(request);
            if (vault is null)
            {
                throw new VaultErrorException(404, "VaultNotFound", $"No vault answers to host '{request.Host}'. Vaults are addressed as https://{{name}}{VaultRegistry.HostSuffix}:{vaults.Port}/.");
            }

            var apiVersion = ApiVersions.Require(request);
            var route = RouteParser.Parse(request.Method, request.Path.Value ?? "/");
            var permissions = OperationTraits.Permissions(route.Operation);
            if (!Array.Exists(permissions, grant.Permissions.Allows))
            {
                throw VaultErrors.ForbiddenByRbac(grant.Identity, permissions[0]);
            }

            if (vault.Faults is { } faults && await FaultResponder.ApplyAsync(context, faults))
            {
                return;
            }

            var settings = vault.Settings;
            if (settings.Throttling && !vault.Throttle.TryAcquire(OperationTraits.Budget(route.Operation), VaultClock.MonotonicMs))
            {
                throw VaultErrors.Throttled(settings.RetryAfterSeconds);
            }

            if (durability is not null && OperationTraits.Mutates(route.Operation))
            {
                durability.Hold(context);
            }

            await endpoints.HandleAsync(new VaultCall
            {
                Http = context,
                Vault = vault,
                Route = route,
                ApiVersion = apiVersion,
                Grant = grant,
                NowSeconds = clock.NowSeconds,
            });
        }
        catch (VaultErrorException e)
        {
            await ErrorWriter.WriteAsync(context, e);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception e)
        {
            await errorLog.WriteLineAsync($"LocalVault: {request.Method} {request.Path} failed: {e}");
            await ErrorWriter.WriteAsync(context, 500, "InternalServerError", "LocalVault failed to handle the request (" + e.GetType().Name + ").");
        }
        finally
        {
            // A dropped connection is counted as status 0.
            vault?.Stats.Record(context.RequestAborted.IsCancellationRequested ? 0 : response.StatusCode);
        }
    }

    private TokenGrant Authenticate(HttpRequest request)
    {
        var token = TokenService.BearerToken(request.Headers.Authorization.ToString());
        if (token is null)
        {
            throw new VaultErrorException(401, "Unauthorized", Challenge.MissingTokenMessage) { Challenge = true };
        }

        return tokens.Validate(token) ?? throw new VaultErrorException(401, "Unauthorized", Challenge.InvalidTokenMessage) { Challenge = true };
    }
}
