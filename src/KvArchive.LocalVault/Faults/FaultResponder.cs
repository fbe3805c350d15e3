using KvArchive.LocalVault.Http;

namespace KvArchive.LocalVault.Faults;

/// <summary>Applies a vault's faults to one call: latency, then the first matching rule's stall, drop or status.</summary>
public static class FaultResponder
{
    /// <summary>True when the fault answered (or dropped) the request, so it must not be handled.</summary>
    public static async Task<bool> ApplyAsync(HttpContext context, FaultPlan plan)
    {
        var latency = plan.NextLatencyMs();
        if (latency > 0)
        {
            await Task.Delay(latency, context.RequestAborted);
        }

        var rule = plan.Take(context.Request.Method, context.Request.Path.Value ?? "/");
        if (rule is null)
        {
            return false;
        }

        if (rule.StallMs > 0)
        {
            await Task.Delay(rule.StallMs, context.RequestAborted);
        }

        if (rule.Drop)
        {
            context.Abort();
            return true;
        }

        if (rule.Status is not { } status)
        {
            return false;
        }

        await ErrorWriter.WriteAsync(context, ErrorFor(status, rule.RetryAfterSeconds));
        return true;
    }

    private static VaultErrorException ErrorFor(int status, int? retryAfter) => status switch
    {
        429 => VaultErrors.Throttled(retryAfter),
        401 => new VaultErrorException(401, "Unauthorized", Auth.Challenge.InvalidTokenMessage) { Challenge = true },
        403 => new VaultErrorException(403, "Forbidden", "Access denied (injected fault)."),
        404 => new VaultErrorException(404, "NotFound", "Not found (injected fault)."),
        409 => new VaultErrorException(409, "Conflict", "Concurrent access (injected fault)."),
        500 => new VaultErrorException(500, "InternalServerError", "An internal server error occurred (injected fault).") { RetryAfterSeconds = retryAfter },
        502 => new VaultErrorException(502, "BadGateway", "Bad gateway (injected fault).") { RetryAfterSeconds = retryAfter },
        503 => new VaultErrorException(503, "ServiceUnavailable", "The service is temporarily unavailable (injected fault).") { RetryAfterSeconds = retryAfter },
        504 => new VaultErrorException(504, "GatewayTimeout", "The gateway timed out (injected fault).") { RetryAfterSeconds = retryAfter },
        _ => new VaultErrorException(status, "Fault", $"Injected fault {status}.") { RetryAfterSeconds = retryAfter },
    };
}
