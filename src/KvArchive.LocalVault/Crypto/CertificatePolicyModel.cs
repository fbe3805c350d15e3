using System.Text.Json;
using KvArchive.LocalVault.Http;

namespace KvArchive.LocalVault.Crypto;

/// <summary>
/// A certificate policy, normalized with the service's defaults. Read from request JSON (merging over a basis for
/// PATCH) and written back as the JSON the service answers (the "id" is added by the writer).
/// </summary>
public sealed record CertificatePolicyModel
{
    public const string Pkcs12 = "application/x-pkcs12";
    public const string Pem = "application/x-pem-file";

    public string KeyType { get; init; } = "RSA";

    public int KeySize { get; init; } = 2048;

    public string? Curve { get; init; }

    public bool Exportable { get; init; } = true;

    public bool ReuseKey { get; init; }

    public string ContentType { get; init; } = Pkcs12;

    public string Subject { get; init; } = "";

    public IReadOnlyList<string> DnsNames { get; init; } = [];

    public IReadOnlyList<string> Emails { get; init; } = [];

    public IReadOnlyList<string> Upns { get; init; } = [];

    /// <summary>True when the request named "sans", even empty: the service then echoes "sans": {} in the policy.</summary>
    public bool SansGiven { get; init; }

    public IReadOnlyList<string> Ekus { get; init; } = ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"];

    public IReadOnlyList<string> KeyUsage { get; init; } = ["digitalSignature", "keyEncipherment"];

    public int ValidityMonths { get; init; } = 12;

    /// <summary>The lifetime_actions array as JSON text.</summary>
    public string LifetimeActionsJson { get; init; } = """[{"trigger":{"lifetime_percentage":80},"action":{"action_type":"AutoRenew"}}]""";

    /// <summary>The service's default lifetime action for a new policy whose issuer is Unknown (nothing renews it).</summary>
    public const string EmailContactsLifetimeActions = """[{"trigger":{"lifetime_percentage":80},"action":{"action_type":"EmailContacts"}}]""";

    public string IssuerName { get; init; } = "Self";

    public string? CertificateType { get; init; }

    public bool? CertTransparency { get; init; }

    public bool Enabled { get; init; } = true;

    public long Created { get; init; }

    public long Updated { get; init; }

    public bool IsEc => KeyType.StartsWith("EC", StringComparison.Ordinal);

    private static readonly HashSet<string> KeyUsages = new(StringComparer.Ordinal)
    {
        "digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly",
    };

    /// <summary>Reads a policy object over a basis (defaults for a new one); 400 on anything invalid.</summary>
    public static CertificatePolicyModel Read(JsonElement policy, CertificatePolicyModel basis, long now)
    {
        var m = basis with { Updated = now, Created = basis.Created == 0 ? now : basis.Created };
        if (JsonInput.Object(policy, "key_props") is { } k)
        {
            var kty = JsonInput.String(k, "kty") ?? m.KeyType;
            if (kty is not ("RSA" or "RSA-HSM" or "EC" or "EC-HSM"))
            {
                throw VaultErrors.BadParameter($"Unsupported key type '{kty}' in the certificate policy.");
            }

            var isEc = kty.StartsWith("EC", StringComparison.Ordinal);
            var size = JsonInput.Int(k, "key_size");
            m = m with
            {
                KeyType = kty,
                Exportable = JsonInput.Bool(k, "exportable") ?? m.Exportable,
                ReuseKey = JsonInput.Bool(k, "reuse_key") ?? m.ReuseKey,
                Curve = isEc ? KeyFactory.NormalizeCurve(JsonInput.String(k, "crv") ?? m.Curve) : null,
                KeySize = isEc ? 0 : size ?? (m.KeySize == 0 ? 2048 : m.KeySize),
            };
            if (!isEc && !KeyFactory.IsSupportedRsaSize(m.KeySize))
            {
                throw VaultErrors.BadParameter($"Unsupported RSA key size {m.KeySize} in the certificate policy.");
            }

            if (isEc && basis.KeyUsage.SequenceEqual(["digitalSignature", "keyEncipherment"]))
            {
                m = m with { KeyUsage = ["digitalSignature"] };
            }
        }

        if (JsonInput.Object(policy, "secret_props") is { } s && JsonInput.String(s, "contentType") is { } contentType)
        {
            m = m with { ContentType = contentType is Pkcs12 or Pem ? contentType : throw VaultErrors.BadParameter($"Unsupported secret content type '{contentType}'. Use {Pkcs12} or {Pem}.") };
        }

        if (JsonInput.Object(policy, "x509_props") is { } x)
        {
            m = m with
            {
                Subject = JsonInput.String(x, "subject") ?? m.Subject,
                Ekus = JsonInput.StringArray(x, "ekus") ?? m.Ekus,
                KeyUsage = JsonInput.StringArray(x, "key_usage") ?? m.KeyUsage,
                ValidityMonths = JsonInput.Int(x, "validity_months") ?? m.ValidityMonths,
            };
            if (JsonInput.Object(x, "sans") is { } sans)
            {
                m = m with
                {
                    SansGiven = true,
                    DnsNames = JsonInput.StringArray(sans, "dns_names") ?? [],
                    Emails = JsonInput.StringArray(sans, "emails") ?? [],
                    Upns = JsonInput.StringArray(sans, "upns") ?? [],
                };
            }

            foreach (var usage in m.KeyUsage)
            {
                if (!KeyUsages.Contains(usage))
                {
                    throw VaultErrors.BadParameter($"Unknown key usage '{usage}'.");
                }
            }

            if (m.ValidityMonths is < 1 or > 1200)
            {
                throw VaultErrors.BadParameter("validity_months must be from 1 to 1200.");
            }
        }

        if (policy.TryGetProperty("lifetime_actions", out var actions) && actions.ValueKind != JsonValueKind.Null)
        {
            m = m with { LifetimeActionsJson = actions.ValueKind == JsonValueKind.Array ? actions.GetRawText() : throw VaultErrors.BadParameter("lifetime_actions must be an array.") };
        }

        if (JsonInput.Object(policy, "issuer") is { } i)
        {
            m = m with
            {
                IssuerName = JsonInput.String(i, "name") ?? m.IssuerName,
                CertificateType = JsonInput.String(i, "cty") ?? m.CertificateType,
                CertTransparency = JsonInput.Bool(i, "cert_transparency") ?? m.CertTransparency,
            };
        }

        if (JsonInput.Object(policy, "attributes") is { } a)
        {
            m = m with { Enabled = JsonInput.Bool(a, "enabled") ?? m.Enabled };
        }

        return m;
    }

    /// <summary>Parses stored policy JSON (as written by <see cref="ToJson"/>).</summary>
    public static CertificatePolicyModel Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var attributes = JsonInput.Object(root, "attributes");
        var basis = new CertificatePolicyModel
        {
            Created = attributes is { } a ? JsonInput.Long(a, "created") ?? 0 : 0,
        };
        var model = Read(root, basis, attributes is { } a2 ? JsonInput.Long(a2, "updated") ?? 0 : 0);
        return model;
    }

    /// <summary>The policy as the service writes it, without "id".</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            WriteBody(w);
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the properties (after an "id" the caller wrote).</summary>
    public void WriteBody(Utf8JsonWriter w)
    {
        w.WriteStartObject("key_props");
        w.WriteBoolean("exportable", Exportable);
        w.WriteString("kty", KeyType);
        if (IsEc)
        {
            w.WriteString("crv", Curve ?? "P-256");
        }
        else
        {
            w.WriteNumber("key_size", KeySize);
        }

        w.WriteBoolean("reuse_key", ReuseKey);
        w.WriteEndObject();
        w.WriteStartObject("secret_props");
        w.WriteString("contentType", ContentType);
        w.WriteEndObject();
        w.WriteStartObject("x509_props");
        w.WriteString("subject", Subject);
        if (SansGiven || DnsNames.Count + Emails.Count + Upns.Count > 0)
        {
            w.WriteStartObject("sans");
            WriteArray(w, "dns_names", DnsNames);
            WriteArray(w, "emails", Emails);
            WriteArray(w, "upns", Upns);
            w.WriteEndObject();
        }

        WriteArray(w, "ekus", Ekus, always: true);
        WriteArray(w, "key_usage", KeyUsage, always: true);
        w.WriteNumber("validity_months", ValidityMonths);
        w.WriteStartObject("basic_constraints");
        w.WriteBoolean("ca", false);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WritePropertyName("lifetime_actions");
        w.WriteRawValue(LifetimeActionsJson, skipInputValidation: true);
        w.WriteStartObject("issuer");
        w.WriteString("name", IssuerName);
        if (CertificateType is not null)
        {
            w.WriteString("cty", CertificateType);
        }

        if (CertTransparency is { } ct)
        {
            w.WriteBoolean("cert_transparency", ct);
        }

        w.WriteEndObject();
        w.WriteStartObject("attributes");
        w.WriteBoolean("enabled", Enabled);
        w.WriteNumber("created", Created);
        w.WriteNumber("updated", Updated);
        w.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter w, string name, IReadOnlyList<string> values, bool always = false)
    {
        if (values.Count == 0 && !always)
        {
            return;
        }

        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }
}
