using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Persistence;

/// <summary>What a vault's state file holds.</summary>
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

    /// <summary>Copies a vault's state under its lock (versions are immutable, so the copy is shallow and fast).</summary>
    public static VaultStateFile Capture(Vault vault)
    {
        var nowMs = VaultClock.MonotonicMs;
        lock (vault.Gate)
        {
            var state = new VaultStateFile { Name = vault.Name, Settings = vault.Settings, Sequence = vault.Sequence, ContactsJson = vault.ContactsJson };
            foreach (var e in vault.Secrets.Entries)
            {
                if (Settled(e, nowMs) is { } s)
                {
                    state.Secrets.Add(Copy(e, new SecretEntry { Name = e.Name, Versions = [.. e.Versions] }, s));
                }
            }

            foreach (var e in vault.Keys.Entries)
            {
                if (Settled(e, nowMs) is { } s)
                {
                    state.Keys.Add(Copy(e, new KeyEntry { Name = e.Name, Versions = [.. e.Versions], RotationPolicyJson = e.RotationPolicyJson }, s));
                }
            }

            foreach (var e in vault.Certificates.Entries)
            {
                if (Settled(e, nowMs) is { } s)
                {
                    var copy = new CertificateEntry { Name = e.Name, Versions = [.. e.Versions], PolicyJson = e.PolicyJson };
                    if (e.Pending is { } p)
                    {
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

                    state.Certificates.Add(Copy(e, copy, s));
                }
            }

            return state;
        }
    }

    /// <summary>Builds a vault from a state file.</summary>
    public Vault Restore(string baseUri)
    {
        var vault = new Vault(Name, Settings, baseUri) { Sequence = Sequence, ContactsJson = ContactsJson };
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

    /// <summary>The state an in-flight transition ends in (null: being purged, so not saved).</summary>
    private static EntryState? Settled(ObjectEntry e, long nowMs) => e.State switch
    {
        EntryState.Deleting => EntryState.Deleted,
        EntryState.Recovering => EntryState.Active,
        EntryState.Purging => null,
        _ => e.State,
    };

    private static TEntry Copy<TEntry>(ObjectEntry from, TEntry to, EntryState state)
        where TEntry : ObjectEntry
    {
        to.State = state;
        to.Managed = from.Managed;
        to.DeletedDate = state == EntryState.Active ? 0 : from.DeletedDate;
        to.ScheduledPurgeDate = state == EntryState.Active ? 0 : from.ScheduledPurgeDate;
        return to;
    }
}
