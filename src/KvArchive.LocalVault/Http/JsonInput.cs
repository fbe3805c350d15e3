using System.Text.Json;

namespace KvArchive.LocalVault.Http;

/// <summary>Typed reads of request JSON properties: a wrong type is a 400 naming the property.</summary>
public static class JsonInput
{
    public const int MaxTags = 15;
    public const int MaxTagNameLength = 512;
    public const int MaxTagValueLength = 256;

    public static bool Has(JsonElement obj, string name)
        => obj.TryGetProperty(name, out var p) && p.ValueKind != JsonValueKind.Null;

    public static string? String(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return p.ValueKind == JsonValueKind.String ? p.GetString() : throw Invalid(name, "a string");
    }

    public static bool? Bool(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return p.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Invalid(name, "true or false"),
        };
    }

    public static long? Long(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out var v) ? v : throw Invalid(name, "an integer");
    }

    public static int? Int(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out var v) ? v : throw Invalid(name, "an integer");
    }

    public static JsonElement? Object(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return p.ValueKind == JsonValueKind.Object ? p : throw Invalid(name, "an object");
    }

    public static IReadOnlyList<string>? StringArray(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (p.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(name, "an array of strings");
        }

        var list = new List<string>(p.GetArrayLength());
        foreach (var item in p.EnumerateArray())
        {
            list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Invalid(name, "an array of strings"));
        }

        return list;
    }

    /// <summary>The "tags" object (string values, the service's limits), or null when absent.</summary>
    public static IReadOnlyDictionary<string, string>? Tags(JsonElement obj)
    {
        var tags = Object(obj, "tags");
        if (tags is null)
        {
            return null;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in tags.Value.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
            {
                throw VaultErrors.BadParameter($"Tag '{p.Name}' must have a string value.");
            }

            if (p.Name.Length is 0 or > MaxTagNameLength || p.Value.GetString()!.Length > MaxTagValueLength)
            {
                throw VaultErrors.BadParameter($"Tag names are 1-{MaxTagNameLength} characters and tag values at most {MaxTagValueLength}.");
            }

            result[p.Name] = p.Value.GetString()!;
        }

        return result.Count > MaxTags ? throw VaultErrors.BadParameter($"At most {MaxTags} tags are allowed.") : result;
    }

    private static VaultErrorException Invalid(string name, string expected)
        => VaultErrors.BadParameter($"Property '{name}' must be {expected}.");
}
