using System.Text.Json;

namespace KvArchive.LocalVault.Management;

/// <summary>What a seed created.</summary>
public sealed record SeedResult(int Secrets, int Keys, int Certificates, int Versions, IReadOnlyList<string> SecretNames, IReadOnlyList<string> KeyNames, IReadOnlyList<string> CertificateNames)
{
    public void WriteTo(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteNumber("secrets", Secrets);
        w.WriteNumber("keys", Keys);
        w.WriteNumber("certificates", Certificates);
        w.WriteNumber("versions", Versions);
        WriteNames(w, "secretNames", SecretNames);
        WriteNames(w, "keyNames", KeyNames);
        WriteNames(w, "certificateNames", CertificateNames);
        w.WriteEndObject();
    }

    private static void WriteNames(Utf8JsonWriter w, string property, IReadOnlyList<string> names)
    {
        w.WriteStartArray(property);
        foreach (var n in names)
        {
            w.WriteStringValue(n);
        }

        w.WriteEndArray();
    }
}
