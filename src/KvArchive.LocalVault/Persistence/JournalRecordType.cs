namespace KvArchive.LocalVault.Persistence;

/// <summary>What a journal record says.</summary>
public enum JournalRecordType
{
    /// <summary>A vault's vault-level state and changed entries (or, when full, its whole state).</summary>
    Vault,

    /// <summary>A vault was removed.</summary>
    VaultRemoved,

    /// <summary>The user-assigned identities (all of them).</summary>
    Identities,
}
