using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KvArchive.LocalVault.Tests.Infrastructure;

/// <summary>Assertions on the shape of Key Vault answers.</summary>
public static partial class KvAssert
{
    /// <summary>32 lower-case hex characters.</summary>
    [GeneratedRegex("^[0-9a-f]{32}$")]
    public static partial Regex VersionPattern();

    /// <summary>
    /// A Key Vault-shaped error: the status, Content-Type application/json; charset=utf-8, an x-ms-request-id,
    /// {"error":{"code","message","innererror"?}}; the codes when given; message containing the fragment when given.
    /// </summary>
    public static void Error(RawResponse response, int status, string? code = null, string? innerCode = null, string? messageContains = null)
    {
        Assert.True(status == response.StatusCode, $"expected {status}, got {response}");
        ErrorShape(response);
        if (code is not null)
        {
            Assert.Equal(code, response.ErrorCode);
        }

        if (innerCode is not null)
        {
            Assert.Equal(innerCode, response.InnerErrorCode);
        }

        if (messageContains is not null)
        {
            Assert.Contains(messageContains, response.ErrorMessage, StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>The headers and body shape every error shares.</summary>
    public static void ErrorShape(RawResponse response)
    {
        Assert.Equal("application/json; charset=utf-8", response.ContentType?.ToLowerInvariant().Replace("utf8", "utf-8"));
        Assert.False(string.IsNullOrEmpty(response.Header("x-ms-request-id")), "x-ms-request-id missing");
        var error = response.Json["error"] as JsonObject;
        Assert.True(error is not null, $"no error object: {response.Text}");
        Assert.True(error!["code"] is JsonValue c && c.GetValueKind() == System.Text.Json.JsonValueKind.String && c.GetValue<string>().Length > 0, $"error.code missing: {response.Text}");
        Assert.True(error["message"] is JsonValue m && m.GetValueKind() == System.Text.Json.JsonValueKind.String && m.GetValue<string>().Length > 0, $"error.message missing: {response.Text}");
        foreach (var (k, v) in error)
        {
            Assert.Contains(k, new[] { "code", "message", "innererror" });
            if (k == "innererror" && v is not null)
            {
                Assert.IsType<JsonObject>(v);
                Assert.False(string.IsNullOrEmpty(v["code"]?.GetValue<string>()), "innererror.code missing");
            }
        }
    }

    /// <summary>Asserts a JSON property is an integer (Unix seconds) and returns it.</summary>
    public static long UnixSeconds(JsonNode? node, string what)
    {
        Assert.True(node is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number, $"{what} is not a number: {node?.ToJsonString()}");
        var text = node!.ToJsonString();
        Assert.True(long.TryParse(text, out var value), $"{what} is not an integer: {text}");
        return value;
    }
}
