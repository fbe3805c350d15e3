namespace KvArchive.Engine.Vault;

/// <summary>Which vault a client talks to: its canonical URI (https://host[:port]/) and name (first host label).</summary>
internal sealed record VaultIdentity(Uri Uri, string Name)
{
    /// <summary>The URI of a path under the vault, e.g. "secrets/x".</summary>
    public Uri Resolve(string relative) => new(Uri, relative);

    /// <summary>The base id of an object (no version).</summary>
    public Uri ObjectId(KvObjectType type, string name) => Resolve($"{ObjectPaths.Collection(type)}/{name}");

    /// <summary>The id of an object's version (base id when version is null).</summary>
    public Uri ObjectId(KvObjectType type, string name, string? version)
        => string.IsNullOrEmpty(version) ? ObjectId(type, name) : Resolve($"{ObjectPaths.Collection(type)}/{name}/{version}");
}
