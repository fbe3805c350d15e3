namespace KvArchive.Engine.Vault;

/// <summary>Secret operations beyond the common ones: values.</summary>
internal interface ISecretStore : IObjectStore
{
    /// <summary>Sets a new version.</summary>
    Task<KvObject> SetAsync(string name, string value, KvSecretSetOptions options, CancellationToken cancellationToken);

    /// <summary>Gets a version with its value.</summary>
    Task<KvSecretValue> GetValueAsync(string name, string? version, CancellationToken cancellationToken);
}
