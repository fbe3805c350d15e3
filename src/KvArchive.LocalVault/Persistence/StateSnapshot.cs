namespace KvArchive.LocalVault.Persistence;

/// <summary>Everything a data directory holds at one point, and the first journal generation to replay after it.</summary>
public sealed class StateSnapshot
{
    public int Format { get; set; } = 2;

    /// <summary>Journals of this generation and later hold the changes made since (or while) it was captured.</summary>
    public long JournalGeneration { get; set; }

    public List<VaultStateFile> Vaults { get; set; } = [];

    public List<IdentityState> Identities { get; set; } = [];
}
