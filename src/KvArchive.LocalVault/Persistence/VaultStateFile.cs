using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Persistence;

/// <summary>
/// A vault's state as persisted: the vault-level part (settings, sequence, contacts) and entries. A snapshot holds
/// every entry; a journal record holds the vault-level part and the entries that changed. Vault-level state added to
/// <see cref="Vault"/> belongs in <see cref="CaptureHeader"/> and <see cref="ApplyHeader"/>: every record carries it.
/// </summary>
public sealed class VaultStateFile
{
    public int Format { get; set; } = 1;

    public required string Name { get; set; }

    public required VaultSettings Settings { get; set; }

    public long Sequence { get; set; }

    public string? ContactsJson { get; set; }

    public List<SecretEntry> Secrets { get; set; } = [];

    public List<KeyEntry> Keys { get; set; } = [];

    public List<CertificateEntry> Certificates { get; set; } = [];

    /// <summary>Copies a vault's whole state under its lock (versions are immutable, so the copy is shallow and fast).</summary>
    public static VaultStateFile Capture(Vault vault)
    {
        lock (vault.Gate)
        {
            return CaptureLocked(vault);
        }
    }

    /// <summary>The whole state; the caller holds the vault lock.</summary>
    public static VaultStateFile CaptureLocked(Vault vault)
    {
        var state = CaptureHeader(vault);
        foreach (var e in vault.Secrets.Entries)
        {
            if (Settled(e) is { } s)
            {
                state.Secrets.Add(Copy(e, s, [.. e.Versions]));
            }
        }

        foreach (var e in vault.Keys.Entries)
        {
            if (Settled(e) is { } s)
            {
                state.Keys.Add(Copy(e, s, [.. e.Versions]));
            }
        }

        foreach (var e in vault.Certificates.Entries)
        {
            if (Settled(e) is { } s)
            {
                state.Certificates.Add(Copy(e, s, [.. e.Versions]));
            }
        }

        return state;
    }

    /// <summary>The vault-level state without entries; the caller holds the vault lock.</summary>
    public static VaultStateFile CaptureHeader(Vault vault)
        => new() { Name = vault.Name, Settings = vault.Settings, Sequence = vault.Sequence, ContactsJson = vault.ContactsJson };

    /// <summary>Builds a vault from a state file.</summary>
    public Vault Restore(string baseUri)
    {
        var vault = new Vault(Name, Settings, baseUri);
        ApplyHeader(vault);
        foreach (var e in Secrets)
        {
            vault.Secrets.Add(e);
        }

        foreach (var e in Keys)
        {
            vault.Keys.Add(e);
        }

        foreach (var e in Certificates)
        {
            vault.Certificates.Add(e);
        }

        return vault;
    }

    /// <summary>Sets a vault's vault-level state from this one (replaying a journal record).</summary>
    public void ApplyHeader(Vault vault)
    {
        vault.Settings = Settings;
        vault.Sequence = Math.Max(vault.Sequence, Sequence);
        vault.ContactsJson = ContactsJson;
    }

    /// <summary>The state an in-flight transition ends in (null: being purged, so not saved).</summary>
    public static EntryState? Settled(ObjectEntry e) => e.State switch
    {
        EntryState.Deleting => EntryState.Deleted,
        EntryState.Recovering => EntryState.Active,
        EntryState.Purging => null,
        _ => e.State,
    };

    public static SecretEntry Copy(SecretEntry e, EntryState state, List<SecretVersion> versions)
        => CopyCommon(e, new SecretEntry { Name = e.Name, Versions = versions }, state);

    public static KeyEntry Copy(KeyEntry e, EntryState state, List<KeyVersion> versions)
        => CopyCommon(e, new KeyEntry { Name = e.Name, Versions = versions, RotationPolicyJson = e.RotationPolicyJson }, state);

    public static CertificateEntry Copy(CertificateEntry e, EntryState state, List<CertificateVersion> versions)
    {
        var copy = new CertificateEntry { Name = e.Name, Versions = versions, PolicyJson = e.PolicyJson };
        if (e.Pending is { } p)
        {
            // The operation is mutable (cancel, completion): copy it.
            copy.Pending = new PendingCertificateOperation
            {
                RequestId = p.RequestId,
                Csr = p.Csr,
                IssuerName = p.IssuerName,
                Status = p.Status,
                CancellationRequested = p.CancellationRequested,
                Certificate = p.Certificate,
                Key = p.Key,
                Secret = p.Secret,
            };
        }

        return CopyCommon(e, copy, state);
    }

    private static TEntry CopyCommon<TEntry>(ObjectEntry from, TEntry to, EntryState state)
        where TEntry : ObjectEntry
    {
        to.State = state;
        to.Managed = from.Managed;
        to.DeletedDate = state == EntryState.Active ? 0 : from.DeletedDate;
        to.ScheduledPurgeDate = state == EntryState.Active ? 0 : from.ScheduledPurgeDate;
        return to;
    }
}
