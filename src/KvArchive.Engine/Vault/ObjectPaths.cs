namespace KvArchive.Engine.Vault;

/// <summary>Key Vault's path words and object identifiers (<c>https://v.vault.azure.net/secrets/name/version</c>).</summary>
internal static class ObjectPaths
{
    /// <summary>"secrets", "keys" or "certificates".</summary>
    public static string Collection(KvObjectType type) => type switch
    {
        KvObjectType.Secret => "secrets",
        KvObjectType.Key => "keys",
        KvObjectType.Certificate => "certificates",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>"deletedsecrets", "deletedkeys" or "deletedcertificates".</summary>
    public static string DeletedCollection(KvObjectType type) => "deleted" + Collection(type);

    /// <summary>Name and version from an object id (either may be null when absent).</summary>
    public static (string? Name, string? Version) Parse(Uri? id)
    {
        var (_, name, version) = ObjectIdentifier.Split(id);
        return (name, version);
    }

    /// <summary>Parses an id string; null when it is not an absolute URI.</summary>
    public static Uri? ToUri(string? id) => Uri.TryCreate(id, UriKind.Absolute, out var uri) ? uri : null;
}
