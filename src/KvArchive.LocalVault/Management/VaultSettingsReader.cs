using System.Text.Json;
using KvArchive.LocalVault.Http;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Management;

/// <summary>Reads vault settings from a management body over a basis; unknown or out-of-range settings are a 400.</summary>
public static class VaultSettingsReader
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "name", "geography", "recoverableDays", "purgeProtection", "softDelete", "deleteDelayMs", "throttling",
        "retryAfterSeconds", "pageShape", "certificateDelayMs",
    };

    public static VaultSettings Read(JsonElement body, VaultSettings basis)
    {
        foreach (var p in body.EnumerateObject())
        {
            if (!Known.Contains(p.Name))
            {
                throw VaultErrors.BadParameter($"Unknown vault setting '{p.Name}'. Known settings: {string.Join(", ", Known)}.");
            }
        }

        var settings = basis;
        if (JsonInput.String(body, "geography") is { } geography)
        {
            settings = settings with { Geography = geography.Length is > 0 and <= 64 ? geography : throw VaultErrors.BadParameter("geography must be 1-64 characters.") };
        }

        if (JsonInput.Int(body, "recoverableDays") is { } days)
        {
            settings = settings with { RecoverableDays = days is >= 7 and <= 90 ? days : throw VaultErrors.BadParameter("recoverableDays must be from 7 to 90.") };
        }

        if (JsonInput.Bool(body, "purgeProtection") is { } purgeProtection)
        {
            settings = settings with { PurgeProtection = purgeProtection };
        }

        if (JsonInput.Bool(body, "softDelete") is { } softDelete)
        {
            settings = settings with { SoftDelete = softDelete };
        }

        if (JsonInput.Int(body, "deleteDelayMs") is { } delay)
        {
            settings = settings with { DeleteDelayMs = delay is >= 0 and <= 3_600_000 ? delay : throw VaultErrors.BadParameter("deleteDelayMs must be from 0 to 3600000.") };
        }

        if (JsonInput.Bool(body, "throttling") is { } throttling)
        {
            settings = settings with { Throttling = throttling };
        }

        if (body.TryGetProperty("retryAfterSeconds", out var retryAfter))
        {
            settings = settings with
            {
                RetryAfterSeconds = retryAfter.ValueKind == JsonValueKind.Null
                    ? null
                    : JsonInput.Int(body, "retryAfterSeconds") is { } s and >= 0 and <= 3600 ? s : throw VaultErrors.BadParameter("retryAfterSeconds must be null or from 0 to 3600."),
            };
        }

        if (JsonInput.String(body, "pageShape") is { } shape)
        {
            settings = settings with
            {
                PageShape = Enum.TryParse<PageShape>(shape, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                    ? parsed
                    : throw VaultErrors.BadParameter("pageShape must be 'natural' or 'ragged'."),
            };
        }

        if (JsonInput.Int(body, "certificateDelayMs") is { } certDelay)
        {
            settings = settings with { CertificateDelayMs = certDelay is >= 0 and <= 3_600_000 ? certDelay : throw VaultErrors.BadParameter("certificateDelayMs must be from 0 to 3600000.") };
        }

        if (settings.PurgeProtection && !settings.SoftDelete)
        {
            throw VaultErrors.BadParameter("purgeProtection needs softDelete.");
        }

        return settings;
    }

    public static void Write(Utf8JsonWriter w, Vault vault)
    {
        var s = vault.Settings;
        w.WriteString("name", vault.Name);
        w.WriteString("uri", vault.BaseUri + "/");
        w.WriteString("geography", s.Geography);
        w.WriteNumber("recoverableDays", s.RecoverableDays);
        w.WriteBoolean("purgeProtection", s.PurgeProtection);
        w.WriteBoolean("softDelete", s.SoftDelete);
        w.WriteNumber("deleteDelayMs", s.DeleteDelayMs);
        w.WriteBoolean("throttling", s.Throttling);
        if (s.RetryAfterSeconds is { } r)
        {
            w.WriteNumber("retryAfterSeconds", r);
        }
        else
        {
            w.WriteNull("retryAfterSeconds");
        }

        w.WriteString("pageShape", s.PageShape.ToString().ToLowerInvariant());
        w.WriteNumber("certificateDelayMs", s.CertificateDelayMs);
        w.WriteString("recoveryLevel", s.RecoveryLevel);
    }
}
