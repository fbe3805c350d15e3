namespace KvArchive.LocalVault.Store;

/// <summary>A key and its versions.</summary>
public sealed class KeyEntry : VersionedEntry<KeyVersion>
{
    /// <summary>The rotation policy as JSON text (null: the default policy).</summary>
    public string? RotationPolicyJson { get; set; }
}
