namespace KvArchive.Engine.Vault;

/// <summary>What Get-KvObject asks for: types, a name (wildcards allowed), versions, removed state.</summary>
public sealed class KvObjectQuery
{
    private static readonly IReadOnlyList<KvObjectType> AllTypes = [KvObjectType.Secret, KvObjectType.Key, KvObjectType.Certificate];

    /// <summary>The types to list, in this order; defaults to secrets, keys, certificates.</summary>
    public IReadOnlyList<KvObjectType> Types { get; init; } = AllTypes;

    /// <summary>A name or wildcard pattern (* and ?); null for every name.</summary>
    public string? Name { get; init; }

    /// <summary>List every version of each matching object instead of the latest.</summary>
    public bool IncludeVersions { get; init; }

    /// <summary>List soft-deleted objects instead of live ones.</summary>
    public bool InRemovedState { get; init; }

    /// <summary>Leave out the key and secret that each certificate owns (Managed = true).</summary>
    public bool ExcludeManaged { get; init; }
}
