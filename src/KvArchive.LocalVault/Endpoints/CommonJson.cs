using System.Text.Json;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Endpoints;

/// <summary>JSON pieces every kind shares: attributes, tags, the deleted header, ids.</summary>
public static class CommonJson
{
    /// <summary><c>"attributes": {enabled, nbf, exp, created, updated, recoveryLevel, recoverableDays[, exportable]}</c>.</summary>
    public static void WriteAttributes(Utf8JsonWriter w, ObjectVersion v, VaultSettings settings, bool includeRecovery = true, bool? exportable = null)
    {
        w.WriteStartObject("attributes");
        w.WriteBoolean("enabled", v.Enabled);
        if (v.NotBefore is { } nbf)
        {
            w.WriteNumber("nbf", nbf);
        }

        if (v.Expires is { } exp)
        {
            w.WriteNumber("exp", exp);
        }

        w.WriteNumber("created", v.Created);
        w.WriteNumber("updated", v.Updated);
        if (includeRecovery)
        {
            w.WriteString("recoveryLevel", settings.RecoveryLevel);
            if (settings.SoftDelete)
            {
                w.WriteNumber("recoverableDays", settings.RecoverableDays);
            }
        }

        if (exportable is { } e)
        {
            w.WriteBoolean("exportable", e);
        }

        w.WriteEndObject();
    }

    /// <summary><c>"tags": {…}</c> when the version has tags (an empty object when they were set empty).</summary>
    public static void WriteTags(Utf8JsonWriter w, IReadOnlyDictionary<string, string>? tags)
    {
        if (tags is null)
        {
            return;
        }

        w.WriteStartObject("tags");
        foreach (var (k, v) in tags)
        {
            w.WriteString(k, v);
        }

        w.WriteEndObject();
    }

    /// <summary><c>recoveryId, deletedDate, scheduledPurgeDate</c> of a soft-deleted object.</summary>
    public static void WriteDeletedHeader<TVersion>(Utf8JsonWriter w, Vault vault, ObjectKind kind, ObjectSnapshot<TVersion> s)
        where TVersion : ObjectVersion
    {
        if (s.DeletedDate == 0)
        {
            return;
        }

        w.WriteString("recoveryId", $"{vault.BaseUri}/{kind.DeletedCollection}/{s.Name}");
        w.WriteNumber("deletedDate", s.DeletedDate);
        w.WriteNumber("scheduledPurgeDate", s.ScheduledPurgeDate);
    }

    public static string Id(Vault vault, ObjectKind kind, string name, string? version = null)
        => version is null ? $"{vault.BaseUri}/{kind.Collection}/{name}" : $"{vault.BaseUri}/{kind.Collection}/{name}/{version}";
}
