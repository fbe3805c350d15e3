using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KvArchive.LocalVault.Tests.Conformance;

/// <summary>
/// Compares a LocalVault JSON answer with a recorded one structurally: every field the service sent must be there
/// with the same JSON type; ids must have the same shape; values must be equal except those INDEX.md names as the
/// service's own (timestamps, version ids, $skiptokens) and those that are random by nature (key material,
/// certificate bytes, backup blobs, request ids, free-text messages). Extra fields in LocalVault's answer are allowed
/// (newer api-versions add fields).
/// </summary>
public static partial class StructuralComparer
{
    /// <summary>Fields whose value is the service's own: compared by type only.</summary>
    private static readonly HashSet<string> ServiceOwnValues = new(StringComparer.Ordinal)
    {
        // Timestamps (INDEX.md).
        "created", "updated", "deletedDate", "scheduledPurgeDate",
        // Random by nature: key material, certificate bytes and thumbprints, CSRs, request ids.
        "n", "x", "y", "e", "cer", "x5t", "csr", "request_id",
        // Free text.
        "message", "status_details",
    };

    /// <summary>Fields that are ids or links: compared by shape (host and version ids abstracted).</summary>
    private static readonly HashSet<string> IdFields = new(StringComparer.Ordinal)
    {
        "id", "kid", "sid", "recoveryId", "target", "nextLink",
    };

    [GeneratedRegex("^https://[^/]+", RegexOptions.IgnoreCase)]
    private static partial Regex HostPrefix();

    [GeneratedRegex("/[0-9a-f]{32}(?=/|$)", RegexOptions.IgnoreCase)]
    private static partial Regex VersionSegment();

    /// <summary>The shape of an id: host replaced, query dropped, version ids abstracted, lower-cased.</summary>
    public static string IdShape(string id)
    {
        var s = HostPrefix().Replace(id, "https://HOST");
        var q = s.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            s = s[..q];
        }

        return VersionSegment().Replace(s, "/{version}").ToLowerInvariant();
    }

    /// <summary>
    /// Appends every difference between <paramref name="recorded"/> and <paramref name="actual"/> to <paramref name="diffs"/>;
    /// <paramref name="opaqueValue"/> is true when a top-level "value" string is opaque (backup blobs, generated PFX/PEM);
    /// <paramref name="validityIsServiceOwn"/> when nbf/exp come from a certificate the service generated (its validity
    /// period is a timestamp of the service's own) rather than from the request.
    /// </summary>
    public static void Compare(string path, JsonNode? recorded, JsonNode? actual, List<string> diffs, bool opaqueValue = false, bool validityIsServiceOwn = false)
    {
        var field = LastField(path);
        if (recorded is null)
        {
            if (actual is not null && field != "nextLink")
            {
                diffs.Add($"{path}: service sent null, LocalVault sent {Trim(actual.ToJsonString())}");
            }

            return;
        }

        if (actual is null)
        {
            if (field == "nextLink")
            {
                return; // paging is the service's own; the page shape is checked elsewhere
            }

            diffs.Add($"{path}: service sent {Kind(recorded)}, LocalVault sent null or nothing");
            return;
        }

        if (Kind(recorded) != Kind(actual))
        {
            diffs.Add($"{path}: service sent {Kind(recorded)}, LocalVault sent {Kind(actual)} ({Trim(actual.ToJsonString())})");
            return;
        }

        switch (recorded)
        {
            case JsonObject ro:
                var ao = actual.AsObject();
                foreach (var (key, rv) in ro)
                {
                    var childPath = path + "." + key;
                    if (!ao.TryGetPropertyValue(key, out var av))
                    {
                        diffs.Add($"{childPath}: present in the service's answer, missing from LocalVault's");
                        continue;
                    }

                    Compare(childPath, rv, av, diffs, opaqueValue, validityIsServiceOwn);
                }

                break;

            case JsonArray ra:
                var aa = actual.AsArray();
                if (ra.Count > 0 && aa.Count > 0 && ra.All(x => x is JsonValue) && aa.All(x => x is JsonValue))
                {
                    var rset = ra.Select(x => x!.ToJsonString()).Order(StringComparer.Ordinal).ToList();
                    var aset = aa.Select(x => x!.ToJsonString()).Order(StringComparer.Ordinal).ToList();
                    if (!ServiceOwnValues.Contains(field) && !rset.SequenceEqual(aset))
                    {
                        diffs.Add($"{path}: service sent [{string.Join(",", rset)}], LocalVault sent [{string.Join(",", aset)}]");
                    }
                }
                else if (ra.Count > 0 && ra[0] is JsonObject && aa.Count > 0)
                {
                    for (var i = 0; i < Math.Min(ra.Count, aa.Count); i++)
                    {
                        Compare($"{path}[{i}]", ra[i], aa[i], diffs, opaqueValue, validityIsServiceOwn);
                    }
                }

                if (ra.Count != aa.Count && field != "value")
                {
                    diffs.Add($"{path}: service sent {ra.Count} items, LocalVault sent {aa.Count}");
                }

                break;

            case JsonValue rv:
                CompareValue(path, field, rv, actual.AsValue(), diffs, opaqueValue, validityIsServiceOwn);
                break;
        }
    }

    private static void CompareValue(string path, string field, JsonValue recorded, JsonValue actual, List<string> diffs, bool opaqueValue, bool validityIsServiceOwn)
    {
        if (ServiceOwnValues.Contains(field) || (field == "value" && opaqueValue && path.Count(c => c == '.') == 1)
            || (validityIsServiceOwn && field is "nbf" or "exp"))
        {
            return;
        }

        if (IdFields.Contains(field) && recorded.GetValueKind() == JsonValueKind.String)
        {
            var r = IdShape(recorded.GetValue<string>());
            var a = IdShape(actual.GetValue<string>());
            if (!string.Equals(r, a, StringComparison.Ordinal))
            {
                diffs.Add($"{path}: id shape {r} (service) vs {a} (LocalVault)");
            }

            return;
        }

        if (field == "status" && recorded.GetValueKind() == JsonValueKind.String && actual.GetValue<string>() == "completed")
        {
            return; // a synchronous server may finish a pending operation at once (INDEX.md)
        }

        if (recorded.ToJsonString() != actual.ToJsonString())
        {
            diffs.Add($"{path}: service sent {Trim(recorded.ToJsonString())}, LocalVault sent {Trim(actual.ToJsonString())}");
        }
    }

    public static string Kind(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Null => "null",
            var k => k.ToString(),
        },
        _ => "unknown",
    };

    private static string LastField(string path)
    {
        var p = path;
        var bracket = p.LastIndexOf('[');
        if (bracket >= 0 && p.EndsWith(']'))
        {
            p = p[..bracket];
        }

        var dot = p.LastIndexOf('.');
        return dot >= 0 ? p[(dot + 1)..] : p;
    }

    private static string Trim(string s) => s.Length > 120 ? s[..120] + "…" : s;
}
