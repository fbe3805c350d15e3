using System.Text.Json;
using Azure;

namespace KvArchive.Engine.Vault;

/// <summary>A Key Vault error answer: <c>{"error":{"code","message","innererror":{"code"}}}</c>.</summary>
internal sealed record ServiceError(int Status, string? Code, string? InnerCode, string? Message)
{
    /// <summary>Reads the error of a failed SDK or pipeline call.</summary>
    public static ServiceError From(RequestFailedException exception)
    {
        var parsed = Parse(exception.Status, exception.GetRawResponse());
        return parsed with { Code = parsed.Code ?? exception.ErrorCode };
    }

    /// <summary>Reads the error body of a response (tolerates any body).</summary>
    public static ServiceError Parse(int status, Response? response)
    {
        if (response is null)
        {
            return new ServiceError(status, null, null, null);
        }

        try
        {
            var content = response.Content;
            if (content is null || content.ToMemory().IsEmpty)
            {
                return new ServiceError(status, null, null, null);
            }

            using var document = JsonDocument.Parse(content.ToMemory());
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("error", out var error)
                || error.ValueKind != JsonValueKind.Object)
            {
                return new ServiceError(status, null, null, null);
            }

            string? inner = null;
            if (error.TryGetProperty("innererror", out var innerError) && innerError.ValueKind == JsonValueKind.Object)
            {
                inner = StringOf(innerError, "code");
            }

            return new ServiceError(status, StringOf(error, "code"), inner, StringOf(error, "message"));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
        {
            return new ServiceError(status, null, null, null);
        }
    }

    private static string? StringOf(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
