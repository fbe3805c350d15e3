namespace KvArchive.Engine.Vault;

/// <summary>The three kinds of Key Vault objects KvArchive handles.</summary>
public enum KvObjectType
{
    /// <summary>A secret.</summary>
    Secret,
    /// <summary>A key.</summary>
    Key,
    /// <summary>A certificate (with its managed key and secret).</summary>
    Certificate,
}
