using System.Text.Json;
using System.Text.Json.Nodes;

namespace KvArchive.Engine.Vault;

/// <summary>Key Vault REST JSON (bundles, items, deleted ones) to <see cref="KvObject"/>, and request bodies.</summary>
internal static class RestMapping
{
    /// <summary>A key bundle, key item, deleted key bundle or deleted key item.</summary>
    public static KvObject ToKey(JsonElement json, VaultIdentity vault)
    {
        string? kid = null;
        string? kty = null;
        string? crv = null;
        if (json.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.Object)
        {
            kid = String(key, "kid");
            kty = String(key, "kty");
            crv = String(key, "crv");
        }

        kid ??= String(json, "kid");
        return Build(KvObjectType.Key, json, vault, kid, contentType: null, kty, crv);
    }

    /// <summary>A secret bundle or item (never reads the value).</summary>
    public static KvObject ToSecret(JsonElement json, VaultIdentity vault)
        => Build(KvObjectType.Secret, json, vault, String(json, "id"), String(json, "contentType"), null, null);

    /// <summary>Attributes for an update: only what changes; explicit nulls remove a date.</summary>
    public static JsonObject UpdateAttributes(KvPropertyUpdate update)
    {
        var attributes = new JsonObject();
        if (update.Enabled is { } enabled)
        {
            attributes["enabled"] = enabled;
        }

        if (update.ClearExpiresOn)
        {
            attributes["exp"] = null;
        }
        else if (update.ExpiresOn is { } exp)
        {
            attributes["exp"] = exp.ToUnixTimeSeconds();
        }

        if (update.ClearNotBefore)
        {
            attributes["nbf"] = null;
        }
        else if (update.NotBefore is { } nbf)
        {
            attributes["nbf"] = nbf.ToUnixTimeSeconds();
        }

        return attributes;
    }

    /// <summary>A tags object.</summary>
    public static JsonObject TagsNode(IReadOnlyDictionary<string, string> tags)
    {
        var node = new JsonObject();
        foreach (var (key, value) in tags)
        {
            node[key] = value;
        }

        return node;
    }

    private static KvObject Build(KvObjectType type, JsonElement json, VaultIdentity vault, string? id, string? contentType, string? keyType, string? curve)
    {
        var idUri = ObjectPaths.ToUri(id);
        var (name, version) = ObjectPaths.Parse(idUri);
        if (name is null)
        {
            throw new InvalidOperationException($"Vault '{vault.Name}' returned a {type.Word()} without an id.");
        }

        bool? enabled = null;
        DateTimeOffset? nbf = null, exp = null, created = null, updated = null;
        int? recoverableDays = null;
        string? recoveryLevel = null;
        if (json.TryGetProperty("attributes", out var a) && a.ValueKind == JsonValueKind.Object)
        {
            enabled = a.TryGetProperty("enabled", out var e) && e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean() : null;
            nbf = Time(a, "nbf");
            exp = Time(a, "exp");
            created = Time(a, "created");
            updated = Time(a, "updated");
            recoverableDays = a.TryGetProperty("recoverableDays", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetInt32() : null;
            recoveryLevel = String(a, "recoveryLevel");
        }

        Dictionary<string, string>? tags = null;
        if (json.TryGetProperty("tags", out var t) && t.ValueKind == JsonValueKind.Object)
        {
            tags = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in t.EnumerateObject())
            {
                tags[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }
        }

        var deletedOn = Time(json, "deletedDate");
        var purgeOn = Time(json, "scheduledPurgeDate");
        var recoveryId = ObjectPaths.ToUri(String(json, "recoveryId"));
        return new KvObject
        {
            Type = type,
            VaultName = vault.Name,
            VaultUri = vault.Uri,
            Name = name,
            Version = version,
            Id = idUri!,
            Enabled = enabled,
            NotBefore = nbf,
            ExpiresOn = exp,
            CreatedOn = created,
            UpdatedOn = updated,
            ContentType = contentType,
            Tags = KvObjectMapping.Tags(tags),
            Managed = json.TryGetProperty("managed", out var m) && m.ValueKind == JsonValueKind.True,
            RecoveryLevel = recoveryLevel,
            RecoverableDays = recoverableDays,
            KeyType = keyType,
            CurveName = curve,
            Deleted = recoveryId is not null || deletedOn is not null,
            DeletedOn = deletedOn,
            ScheduledPurgeDate = purgeOn,
            RecoveryId = recoveryId,
        };
    }

    private static string? String(JsonElement json, string name)
        => json.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static DateTimeOffset? Time(JsonElement json, string name)
        => json.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
}
