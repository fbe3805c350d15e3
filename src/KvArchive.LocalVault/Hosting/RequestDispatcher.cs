using KvArchive.LocalVault.Http;
using KvArchive.LocalVault.Management;
using KvArchive.LocalVault.Persistence;

namespace KvArchive.LocalVault.Hosting;

/// <summary>
/// The one terminal handler: the identity port, the /_localvault prefix, or a vault call. With a data directory, a
/// management call other than GET (vaults, settings, seeding, identities) answers once its changes are durable.
/// </summary>
public sealed class RequestDispatcher(VaultPipeline vaults, ManagementApi management, IdentityTokenEndpoint identity, Func<int> identityPort, TextWriter? requestLog, DurabilityGate? durability = null)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = requestLog is null ? 0 : Environment.TickCount64;
        try
        {
            if (context.Connection.LocalPort == identityPort())
            {
                await IdentityAsync(context);
            }
            else if (context.Request.Path.StartsWithSegments(ManagementApi.Prefix, StringComparison.OrdinalIgnoreCase))
            {
                if (durability is not null && !HttpMethods.IsGet(context.Request.Method))
                {
                    durability.Hold(context);
                }

                await management.HandleAsync(context);
            }
            else
            {
                await vaults.HandleAsync(context);
            }
        }
        finally
        {
            if (requestLog is not null)
            {
                await requestLog.WriteLineAsync($"{context.Request.Method} {context.Request.Host}{context.Request.Path} -> {context.Response.StatusCode} ({Environment.TickCount64 - started} ms)");
            }
        }
    }

    private async Task IdentityAsync(HttpContext context)
    {
        try
        {
            if (!context.Request.Path.Equals(IdentityTokenEndpoint.Path, StringComparison.OrdinalIgnoreCase))
            {
                throw VaultErrors.RouteNotFound(context.Request.Path.Value ?? "/");
            }

            await identity.HandleAsync(context);
        }
        catch (VaultErrorException e)
        {
            await ErrorWriter.WriteAsync(context, e);
        }
    }
}
