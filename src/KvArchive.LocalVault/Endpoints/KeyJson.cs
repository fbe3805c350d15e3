using System.Text.Json;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Endpoints;

/// <summary>KeyBundle, DeletedKeyBundle, KeyItem and DeletedKeyItem. Only the public JWK ever leaves.</summary>
public static class KeyJson
{
    public static void WriteBundle(Utf8JsonWriter w, Vault vault, ObjectSnapshot<KeyVersion> s, bool deleted)
    {
        var v = s.Version;
        w.WriteStartObject();
        if (deleted)
        {
            CommonJson.WriteDeletedHeader(w, vault, ObjectKind.Key, s);
        }

        WriteJwk(w, CommonJson.Id(vault, ObjectKind.Key, s.Name, v.Version), v);
        CommonJson.WriteAttributes(w, v, vault.Settings, exportable: v.Exportable);
        CommonJson.WriteTags(w, v.Tags);
        if (s.Managed)
        {
            w.WriteBoolean("managed", true);
        }

        w.WriteEndObject();
    }

    public static void WriteItem(Utf8JsonWriter w, Vault vault, ObjectSnapshot<KeyVersion> s, bool withVersion, bool deleted)
    {
        var v = s.Version;
        w.WriteStartObject();
        if (deleted)
        {
            CommonJson.WriteDeletedHeader(w, vault, ObjectKind.Key, s);
        }

        w.WriteString("kid", CommonJson.Id(vault, ObjectKind.Key, s.Name, withVersion ? v.Version : null));
        CommonJson.WriteAttributes(w, v, vault.Settings, exportable: v.Exportable);
        CommonJson.WriteTags(w, v.Tags);
        if (s.Managed)
        {
            w.WriteBoolean("managed", true);
        }

        w.WriteEndObject();
    }

    /// <summary><c>"key": {kid, kty, key_ops, n, e | crv, x, y}</c>: public parameters only.</summary>
    public static void WriteJwk(Utf8JsonWriter w, string kid, KeyVersion v)
    {
        var m = v.Material;
        w.WriteStartObject("key");
        w.WriteString("kid", kid);
        w.WriteString("kty", m.Kty);
        w.WriteStartArray("key_ops");
        foreach (var op in v.KeyOps)
        {
            w.WriteStringValue(op);
        }

        w.WriteEndArray();
        if (m.IsRsa)
        {
            w.WriteString("n", m.N);
            w.WriteString("e", m.E);
        }
        else
        {
            w.WriteString("crv", m.Crv);
            w.WriteString("x", m.X);
            w.WriteString("y", m.Y);
        }

        w.WriteEndObject();
    }
}
