using System.Text.Json.Nodes;

namespace KvArchive.LocalVault.Tests.Conformance;

/// <summary>One request/response pair of a recording, normalised across the three recorder formats.</summary>
public sealed record RecordedCall(
    int Index,
    string Method,
    Uri Url,
    string? RequestBody,
    int Status,
    string ResponseBody,
    IReadOnlyDictionary<string, string> ResponseHeaders)
{
    /// <summary>The response body parsed as JSON, or null when it is empty or not JSON.</summary>
    public JsonNode? Json
    {
        get
        {
            if (string.IsNullOrWhiteSpace(ResponseBody))
            {
                return null;
            }

            try
            {
                return JsonNode.Parse(ResponseBody);
            }
            catch (System.Text.Json.JsonException)
            {
                return null;
            }
        }
    }

    public VaultRoute Route => VaultRoute.Parse(Url);

    public override string ToString() => $"#{Index} {Method} {Url.PathAndQuery} -> {Status}";
}
