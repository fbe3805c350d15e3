using System.Text.Json.Nodes;

namespace KvArchive.LocalVault.Tests.Conformance;

/// <summary>
/// A recorded session: its calls in order, from one of the recorder formats described in the INDEX.md files
/// (../shared/conformance/recordings: C++, legacy Java, .NET; Conformance/recordings-js in this repository: the
/// Azure SDK for JavaScript's test-proxy "Entries" files and its older browser recorder's "recordings" files).
/// </summary>
public sealed class RecordingSession
{
    private RecordingSession(string relativePath, string source, IReadOnlyList<RecordedCall> calls, bool bodiesRecorded)
    {
        RelativePath = relativePath;
        Source = source;
        Calls = calls;
        BodiesRecorded = bodiesRecorded;
    }

    /// <summary>e.g. azure-sdk-for-cpp/KeyVaultKeyClient.BackupKey.json</summary>
    public string RelativePath { get; }

    /// <summary>azure-sdk-for-cpp, azure-keyvault-java, azure-sdk-for-net or azure-sdk-for-js.</summary>
    public string Source { get; }

    public IReadOnlyList<RecordedCall> Calls { get; }

    /// <summary>The .NET and JavaScript recorders kept request bodies; the others need them synthesised.</summary>
    public bool BodiesRecorded { get; }

    /// <summary>Where the recordings are: ../shared/conformance/recordings beside the repository clone.</summary>
    public static string RecordingsDirectory => Path.GetFullPath(Path.Combine(KvArchive.TestSupport.LocalVaultServer.RepoRoot(), "..", "shared", "conformance", "recordings"));

    /// <summary>The source name of the JavaScript recordings, kept in this repository (their INDEX.md says why).</summary>
    public const string JsSource = "azure-sdk-for-js";

    /// <summary>Where the JavaScript SDK's recordings are: Conformance/recordings-js in this test project.</summary>
    public static string JsRecordingsDirectory => Path.Combine(KvArchive.TestSupport.LocalVaultServer.RepoRoot(), "tests", "KvArchive.LocalVault.Tests", "Conformance", "recordings-js");

    /// <summary>
    /// Every recording file, sorted: those of <see cref="RecordingsDirectory"/> relative to it, and those of
    /// <see cref="JsRecordingsDirectory"/> as azure-sdk-for-js/{path below it}.
    /// </summary>
    public static IReadOnlyList<string> All()
    {
        var root = RecordingsDirectory;
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"The conformance recordings are missing: expected {root} (shared/ beside the repository clone).");
        }

        var js = JsRecordingsDirectory;
        if (!Directory.Exists(js))
        {
            throw new DirectoryNotFoundException($"The JavaScript SDK's recordings are missing: expected {js}.");
        }

        return Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Concat(Directory.EnumerateFiles(js, "*.json", SearchOption.AllDirectories)
                .Select(f => JsSource + "/" + Path.GetRelativePath(js, f).Replace('\\', '/')))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The file of a session named as <see cref="All"/> names it.</summary>
    public static string FullPath(string relativePath)
        => relativePath.StartsWith(JsSource + "/", StringComparison.Ordinal)
            ? Path.Combine(JsRecordingsDirectory, relativePath[(JsSource.Length + 1)..])
            : Path.Combine(RecordingsDirectory, relativePath);

    public static RecordingSession Load(string relativePath)
    {
        var text = File.ReadAllText(FullPath(relativePath));
        var root = JsonNode.Parse(text)!.AsObject();
        var source = relativePath.Split('/')[0];
        var calls = new List<RecordedCall>();
        if (root["recordings"] is JsonArray recordings)
        {
            // The JavaScript SDK's browser recorder: url and query apart, request and response bodies as strings,
            // each vault call after its own 401 probe and the token request (another host, not replayed).
            foreach (var r in recordings)
            {
                var url = new Uri(r!["url"]!.GetValue<string>());
                if (!url.Host.EndsWith(".vault.azure.net", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var query = r["query"] is JsonObject q && q.Count > 0
                    ? "?" + string.Join("&", q.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value?.ToString() ?? string.Empty)))
                    : string.Empty;
                var requestBody = BodyText(r["requestBody"]);
                calls.Add(new RecordedCall(
                    calls.Count,
                    r["method"]!.GetValue<string>(),
                    new Uri(url + query),
                    string.IsNullOrEmpty(requestBody) ? null : requestBody,
                    r["status"]!.GetValue<int>(),
                    BodyText(r["response"]) ?? string.Empty,
                    ReadHeaders(r["responseHeaders"] as JsonObject)));
            }

            return new RecordingSession(relativePath, source, calls, bodiesRecorded: true);
        }

        if (root["Entries"] is JsonArray entries)
        {
            // .NET recorder: request bodies included; bodies are JSON strings or parsed objects.
            foreach (var e in entries)
            {
                var headers = ReadHeaders(e!["ResponseHeaders"] as JsonObject);
                calls.Add(new RecordedCall(
                    calls.Count,
                    e["RequestMethod"]!.GetValue<string>(),
                    new Uri(e["RequestUri"]!.GetValue<string>()),
                    BodyText(e["RequestBody"]),
                    e["StatusCode"]!.GetValue<int>(),
                    BodyText(e["ResponseBody"]) ?? string.Empty,
                    headers));
            }

            return new RecordingSession(relativePath, source, calls, bodiesRecorded: true);
        }

        foreach (var r in root["networkCallRecords"]!.AsArray())
        {
            var response = r!["Response"]!.AsObject();
            var status = response["STATUS_CODE"] ?? response["StatusCode"];
            var body = response["BODY"] ?? response["Body"];
            var headers = ReadHeaders(response, skip: ["STATUS_CODE", "StatusCode", "BODY", "Body"]);
            calls.Add(new RecordedCall(
                calls.Count,
                r["Method"]!.GetValue<string>(),
                new Uri((r["Url"] ?? r["Uri"])!.GetValue<string>()),
                null,
                int.Parse(status!.ToString(), System.Globalization.CultureInfo.InvariantCulture),
                BodyText(body) ?? string.Empty,
                headers));
        }

        return new RecordingSession(relativePath, source, calls, bodiesRecorded: false);
    }

    private static string? BodyText(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    private static Dictionary<string, string> ReadHeaders(JsonObject? obj, string[]? skip = null)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (obj is null)
        {
            return headers;
        }

        foreach (var (k, v) in obj)
        {
            if (skip is not null && skip.Contains(k))
            {
                continue;
            }

            headers[k] = v switch
            {
                JsonArray a => string.Join(",", a.Select(x => x?.ToString())),
                null => string.Empty,
                _ => v.ToString(),
            };
        }

        return headers;
    }

    public override string ToString() => RelativePath;
}
