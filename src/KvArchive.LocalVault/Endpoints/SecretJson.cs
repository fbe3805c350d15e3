using System.Text.Json;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Endpoints;

/// <summary>SecretBundle, DeletedSecretBundle, SecretItem and DeletedSecretItem, in the service's property order.</summary>
public static class SecretJson
{
    public static void WriteBundle(Utf8JsonWriter w, Vault vault, ObjectSnapshot<SecretVersion> s, bool includeValue, bool deleted = false)
    {
        var v = s.Version;
        w.WriteStartObject();
        if (deleted)
        {
            CommonJson.WriteDeletedHeader(w, vault, ObjectKind.Secret, s);
        }

        if (includeValue)
        {
            w.WriteString("value", v.Value);
        }

        if (v.ContentType is not null)
        {
            w.WriteString("contentType", v.ContentType);
        }

        w.WriteString("id", CommonJson.Id(vault, ObjectKind.Secret, s.Name, v.Version));
        if (s.Managed)
        {
            w.WriteBoolean("managed", true);
        }

        CommonJson.WriteAttributes(w, v, vault.Settings);
        CommonJson.WriteTags(w, v.Tags);
        if (s.Managed)
        {
            w.WriteString("kid", CommonJson.Id(vault, ObjectKind.Key, s.Name, v.Version));
        }

        w.WriteEndObject();
    }

    public static void WriteItem(Utf8JsonWriter w, Vault vault, ObjectSnapshot<SecretVersion> s, bool withVersion, bool deleted = false)
    {
        var v = s.Version;
        w.WriteStartObject();
        if (deleted)
        {
            CommonJson.WriteDeletedHeader(w, vault, ObjectKind.Secret, s);
        }

        if (v.ContentType is not null)
        {
            w.WriteString("contentType", v.ContentType);
        }

        w.WriteString("id", CommonJson.Id(vault, ObjectKind.Secret, s.Name, withVersion ? v.Version : null));
        if (s.Managed)
        {
            w.WriteBoolean("managed", true);
        }

        CommonJson.WriteAttributes(w, v, vault.Settings);
        CommonJson.WriteTags(w, v.Tags);
        w.WriteEndObject();
    }
}
