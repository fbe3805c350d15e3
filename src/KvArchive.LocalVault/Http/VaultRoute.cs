namespace KvArchive.LocalVault.Http;

/// <summary>A routed vault request: the operation, the object name and version (when the path has them).</summary>
public readonly record struct VaultRoute(VaultOperation Operation, string? Name, string? Version)
{
    /// <summary>The name (routes that have one).</summary>
    public string RequiredName => Name ?? throw new InvalidOperationException("Route has no name.");
}
