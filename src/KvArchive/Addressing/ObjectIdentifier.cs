using KvArchive.Engine.Vault;

namespace KvArchive.Addressing;

/// <summary>
/// The parts of a Key Vault object identifier as users paste it into -Id:
/// <c>https://prod.vault.azure.net/secrets/db-password/0123…</c>, a key's <c>kid</c>, a certificate id, or a
/// removed object's recovery id (<c>…/deletedsecrets/db-password</c>).
/// </summary>
internal sealed class ObjectIdentifier
{
    private ObjectIdentifier(Uri vaultUri, KvObjectType type, string name, string? version, bool removed)
    {
        VaultUri = vaultUri;
        Type = type;
        Name = name;
        Version = version;
        Removed = removed;
    }

    public Uri VaultUri { get; }

    public KvObjectType Type { get; }

    public string Name { get; }

    public string? Version { get; }

    /// <summary>True for a recovery id (deletedsecrets/deletedkeys/deletedcertificates).</summary>
    public bool Removed { get; }

    /// <summary>Parses an identifier; null with a reason when it is not one.</summary>
    public static ObjectIdentifier? TryParse(Uri id, out string? problem)
    {
        problem = null;
        if (!id.IsAbsoluteUri || !string.Equals(id.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase))
        {
            problem = "it is not an absolute https URI";
            return null;
        }

        var segments = id.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length is < 2 or > 3)
        {
            problem = "its path is not /secrets|keys|certificates/<name>[/<version>] nor /deleted…/<name>";
            return null;
        }

        var collection = segments[0].ToLowerInvariant();
        var removed = collection.StartsWith("deleted", StringComparison.Ordinal);
        KvObjectType? type = (removed ? collection["deleted".Length..] : collection) switch
        {
            "secrets" => KvObjectType.Secret,
            "keys" => KvObjectType.Key,
            "certificates" => KvObjectType.Certificate,
            _ => null,
        };
        if (type is null || (removed && segments.Length == 3))
        {
            problem = $"'{segments[0]}' is not secrets, keys, certificates or their deleted collections";
            return null;
        }

        var vaultUri = new Uri(id.GetLeftPart(UriPartial.Authority) + "/");
        return new ObjectIdentifier(vaultUri, type.Value, Uri.UnescapeDataString(segments[1]), segments.Length == 3 ? segments[2] : null, removed);
    }
}
