using KvArchive.LocalVault.Auth;

namespace KvArchive.LocalVault.Http;

/// <summary>The single place that writes error answers: <c>{"error":{"code","message","innererror"?}}</c>.</summary>
public static class ErrorWriter
{
    public static Task WriteAsync(HttpContext context, VaultErrorException error)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return Task.CompletedTask;
        }

        if (!response.Headers.ContainsKey("x-ms-request-id"))
        {
            response.Headers["x-ms-request-id"] = Guid.NewGuid().ToString();
        }

        if (error.RetryAfterSeconds is { } retryAfter)
        {
            response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (error.Challenge)
        {
            response.Headers.WWWAuthenticate = Challenge.HeaderValue;
        }

        using var json = new JsonResponse();
        var w = json.Writer;
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("code", error.Code);
        w.WriteString("message", error.Message);
        if (error.InnerCode is not null)
        {
            w.WriteStartObject("innererror");
            w.WriteString("code", error.InnerCode);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteEndObject();
        return json.SendAsync(context, error.Status);
    }

    public static Task WriteAsync(HttpContext context, int status, string code, string message, string? innerCode = null)
        => WriteAsync(context, new VaultErrorException(status, code, message, innerCode));
}
