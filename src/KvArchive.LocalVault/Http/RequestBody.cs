using System.Text.Json;

namespace KvArchive.LocalVault.Http;

/// <summary>Reads a request's JSON body; anything malformed is a 400, never a 500.</summary>
public static class RequestBody
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32 };

    /// <summary>The body as a JSON object (400 if missing, malformed or not an object).</summary>
    public static async Task<JsonDocument> ReadObjectAsync(HttpRequest request)
        => await TryReadObjectAsync(request) ?? throw VaultErrors.BadParameter("The request body is missing. A JSON object is required.");

    /// <summary>The body as a JSON object, or null if there is none.</summary>
    public static async Task<JsonDocument?> TryReadObjectAsync(HttpRequest request)
    {
        if (request.ContentLength == 0)
        {
            return null;
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, Options, request.HttpContext.RequestAborted);
        }
        catch (JsonException e)
        {
            if (request.ContentLength is null && e.BytePositionInLine == 0 && e.LineNumber == 0)
            {
                return null;
            }

            throw VaultErrors.BadParameter("The request body is not valid JSON: " + e.Message);
        }
        catch (BadHttpRequestException e)
        {
            throw new VaultErrorException(e.StatusCode, e.StatusCode == 413 ? "RequestTooLarge" : "BadParameter", e.Message);
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw VaultErrors.BadParameter("The request body must be a JSON object.");
        }

        return document;
    }
}
