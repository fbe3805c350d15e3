namespace KvArchive.Engine.Vault;

/// <summary>What the engine was doing when a call failed; it chooses the wording of the error.</summary>
internal enum VaultOperation
{
    List,
    ListVersions,
    ListDeleted,
    Get,
    GetDeleted,
    Update,
    Delete,
    Recover,
    Purge,
    Backup,
    Restore,
    SetSecret,
    GetSecretValue,
    CreateKey,
}
