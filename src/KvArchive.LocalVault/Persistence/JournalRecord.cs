using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Persistence;

/// <summary>
/// One change in the journal. Records hold states, not operations: replaying them in order gives, for every entry,
/// the state of the last record that names it, which reflects every change confirmed before it was captured.
/// </summary>
public sealed class JournalRecord
{
    public JournalRecordType Type { get; set; }

    /// <summary>The vault (Vault, VaultRemoved).</summary>
    public string? VaultName { get; set; }

    /// <summary>Vault-level state (always) and, for a full record, every entry.</summary>
    public VaultStateFile? State { get; set; }

    /// <summary>The record replaces the whole vault.</summary>
    public bool Full { get; set; }

    public List<EntryRecord<SecretEntry>>? Secrets { get; set; }

    public List<EntryRecord<KeyEntry>>? Keys { get; set; }

    public List<EntryRecord<CertificateEntry>>? Certificates { get; set; }

    /// <summary>Names no longer present (removed, purged, or being purged).</summary>
    public List<string>? RemovedSecrets { get; set; }

    public List<string>? RemovedKeys { get; set; }

    public List<string>? RemovedCertificates { get; set; }

    public List<IdentityState>? Identities { get; set; }
}
