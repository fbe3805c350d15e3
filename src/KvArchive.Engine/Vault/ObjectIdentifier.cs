namespace KvArchive.Engine.Vault;

/// <summary>
/// The parts of a Key Vault object identifier: <c>https://prod.vault.azure.net/secrets/db-password/0123…</c>, a
/// key's <c>kid</c>, a certificate id, or a removed object's recovery id (<c>…/deletedsecrets/db-password</c>).
/// The one parser of object ids, for what users paste and for what the service returns.
/// </summary>
public sealed class ObjectIdentifier
{
    private const string DeletedPrefix = "deleted";

    private ObjectIdentifier(Uri vaultUri, KvObjectType type, string name, string? version, bool removed)
    {
        VaultUri = vaultUri;
        Type = type;
        Name = name;
        Version = version;
        Removed = removed;
    }

    /// <summary>The vault (scheme, host and port).</summary>
    public Uri VaultUri { get; }

    /// <summary>Secret, Key or Certificate.</summary>
    public KvObjectType Type { get; }

    /// <summary>The object's name.</summary>
    public string Name { get; }

    /// <summary>The version, when the id names one.</summary>
    public string? Version { get; }

    /// <summary>True for a recovery id (deletedsecrets/deletedkeys/deletedcertificates).</summary>
    public bool Removed { get; }

    /// <summary>Parses an identifier; null with the reason (a phrase) when it is not one.</summary>
    public static ObjectIdentifier? TryParse(Uri id, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(id);
        problem = null;
        if (!id.IsAbsoluteUri || !string.Equals(id.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase))
        {
            problem = "it is not an absolute https URI";
            return null;
        }

        var segments = Segments(id);
        if (segments.Length is < 2 or > 3)
        {
            problem = "its path is not /secrets|keys|certificates/<name>[/<version>] nor /deleted…/<name>";
            return null;
        }

        var collection = segments[0].ToLowerInvariant();
        var removed = collection.StartsWith(DeletedPrefix, StringComparison.Ordinal);
        var type = TypeOf(removed ? collection[DeletedPrefix.Length..] : collection);
        if (type is null || (removed && segments.Length == 3))
        {
            problem = $"'{segments[0]}' is not secrets, keys, certificates or their deleted collections";
            return null;
        }

        var (_, name, version) = Split(id);
        return new ObjectIdentifier(new Uri(id.GetLeftPart(UriPartial.Authority) + "/"), type.Value, name!, version, removed);
    }

    /// <summary>
    /// The collection, name and version of any id the service returns (each null when absent), without checking
    /// the collection: ids of pending operations and issuers have the same shape.
    /// </summary>
    internal static (string? Collection, string? Name, string? Version) Split(Uri? id)
    {
        if (id is null || !id.IsAbsoluteUri)
        {
            return (null, null, null);
        }

        var segments = Segments(id);
        var collection = segments.Length > 0 ? segments[0] : null;
        var name = segments.Length > 1 ? Uri.UnescapeDataString(segments[1]) : null;
        var version = segments.Length > 2 && segments[2].Length > 0 ? segments[2] : null;
        return (collection, name, version);
    }

    private static string[] Segments(Uri id) => id.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);

    private static KvObjectType? TypeOf(string collection) => collection switch
    {
        "secrets" => KvObjectType.Secret,
        "keys" => KvObjectType.Key,
        "certificates" => KvObjectType.Certificate,
        _ => null,
    };
}
