namespace KvArchive.LocalVault.Store;

/// <summary>A secret and its versions.</summary>
public sealed class SecretEntry : VersionedEntry<SecretVersion>
{
}
