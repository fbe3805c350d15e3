using System.Text.Json.Nodes;

namespace KvArchive.LocalVault.Tests.Conformance;

/// <summary>A recorded session: its calls in order, from one of the three recorder formats described in INDEX.md.</summary>
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

    /// <summary>azure-sdk-for-cpp, azure-keyvault-java or azure-sdk-for-net.</summary>
    public string Source { get; }

    public IReadOnlyList<RecordedCall> Calls { get; }

    /// <summary>Only the .NET recorder kept request bodies; the others need them synthesised.</summary>
    public bool BodiesRecorded { get; }

    /// <summary>Where the recordings are: ../shared/conformance/recordings beside the repository clone.</summary>
    public static string RecordingsDirectory => Path.GetFullPath(Path.Combine(KvArchive.TestSupport.LocalVaultServer.RepoRoot(), "..", "shared", "conformance", "recordings"));

    /// <summary>Every recording file, relative to <see cref="RecordingsDirectory"/>, sorted.</summary>
    public static IReadOnlyList<string> All()
    {
        var root = RecordingsDirectory;
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"The conformance recordings are missing: expected {root} (shared/ beside the repository clone).");
        }

        return Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    public static RecordingSession Load(string relativePath)
    {
        var text = File.ReadAllText(Path.Combine(RecordingsDirectory, relativePath));
        var root = JsonNode.Parse(text)!.AsObject();
        var source = relativePath.Split('/')[0];
        var calls = new List<RecordedCall>();
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
