using System.Net;
using System.Text.Json.Nodes;

namespace KvArchive.LocalVault.Tests.Infrastructure;

/// <summary>A fully read HTTP response.</summary>
public sealed class RawResponse
{
    private RawResponse(HttpStatusCode status, Dictionary<string, string[]> headers, string? contentType, string text)
    {
        Status = status;
        Headers = headers;
        ContentType = contentType;
        Text = text;
    }

    public HttpStatusCode Status { get; }

    public int StatusCode => (int)Status;

    /// <summary>Response and content headers, names case-insensitive.</summary>
    public Dictionary<string, string[]> Headers { get; }

    /// <summary>The full Content-Type header value, if any.</summary>
    public string? ContentType { get; }

    public string Text { get; }

    /// <summary>The body parsed as JSON (throws with the body if it is not JSON).</summary>
    public JsonNode Json
    {
        get
        {
            try
            {
                return JsonNode.Parse(Text) ?? throw new InvalidOperationException("null JSON");
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new InvalidOperationException($"Response {StatusCode} is not JSON: '{Text}'", e);
            }
        }
    }

    /// <summary>error.code of a Key Vault error body.</summary>
    public string? ErrorCode => Json["error"]?["code"]?.GetValue<string>();

    /// <summary>error.message of a Key Vault error body.</summary>
    public string? ErrorMessage => Json["error"]?["message"]?.GetValue<string>();

    /// <summary>error.innererror.code of a Key Vault error body.</summary>
    public string? InnerErrorCode => Json["error"]?["innererror"]?["code"]?.GetValue<string>();

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? string.Join(",", v) : null;

    public static async Task<RawResponse> ReadAsync(HttpResponseMessage response)
    {
        var headers = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var h in response.Headers)
        {
            headers[h.Key] = h.Value.ToArray();
        }

        foreach (var h in response.Content.Headers)
        {
            headers[h.Key] = h.Value.ToArray();
        }

        var text = await response.Content.ReadAsStringAsync();
        return new RawResponse(response.StatusCode, headers, response.Content.Headers.ContentType?.ToString(), text);
    }

    public override string ToString() => $"{StatusCode} {Text}";
}
