namespace KvArchive.Engine.Vault;

/// <summary>Key operations beyond the common ones: creation.</summary>
internal interface IKeyStore : IObjectStore
{
    /// <summary>Creates a key or a new version of it.</summary>
    Task<KvObject> CreateAsync(string name, KvKeyCreateOptions options, CancellationToken cancellationToken);
}
