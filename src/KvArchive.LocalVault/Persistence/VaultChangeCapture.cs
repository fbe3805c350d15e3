using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Persistence;

/// <summary>
/// Turns a vault's tracked changes into a journal record (under the vault lock) and a record back into the vault
/// (replay). An entry is recorded with its state and either all its versions or, when the versions the journal last
/// recorded are still its first ones (compared by reference: versions are immutable records), only the new ones.
/// </summary>
public static class VaultChangeCapture
{
    /// <summary>The record of what changed since the last capture, or null when nothing did. Caller holds the lock.</summary>
    public static JournalRecord? Capture(Vault vault)
    {
        if (vault.Removed)
        {
            return null;
        }

        var full = vault.TakeFull();
        var dirty = vault.TakeDirty();
        if (full)
        {
            vault.Secrets.ClearChanged();
            vault.Keys.ClearChanged();
            vault.Certificates.ClearChanged();
            var state = VaultStateFile.CaptureLocked(vault);
            MarkJournaled(vault.Secrets);
            MarkJournaled(vault.Keys);
            MarkJournaled(vault.Certificates);
            return new JournalRecord { Type = JournalRecordType.Vault, VaultName = vault.Name, State = state, Full = true };
        }

        var secrets = vault.Secrets.TakeChanged();
        var keys = vault.Keys.TakeChanged();
        var certificates = vault.Certificates.TakeChanged();
        if (!dirty && secrets.Length == 0 && keys.Length == 0 && certificates.Length == 0)
        {
            return null;
        }

        var record = new JournalRecord { Type = JournalRecordType.Vault, VaultName = vault.Name, State = VaultStateFile.CaptureHeader(vault) };
        record.Secrets = Entries<SecretEntry, SecretVersion>(vault.Secrets, secrets, VaultStateFile.Copy, out var removedSecrets);
        record.RemovedSecrets = removedSecrets;
        record.Keys = Entries<KeyEntry, KeyVersion>(vault.Keys, keys, VaultStateFile.Copy, out var removedKeys);
        record.RemovedKeys = removedKeys;
        record.Certificates = Entries<CertificateEntry, CertificateVersion>(vault.Certificates, certificates, VaultStateFile.Copy, out var removedCertificates);
        record.RemovedCertificates = removedCertificates;
        return record;
    }

    /// <summary>Applies a record's entries and removals to a collection (replay; tracking is off).</summary>
    public static void Apply<TEntry>(ObjectCollection<TEntry> collection, List<EntryRecord<TEntry>>? entries, List<string>? removed, TextWriter log)
        where TEntry : ObjectEntry
    {
        foreach (var name in removed ?? [])
        {
            if (collection.Peek(name) is { } gone)
            {
                collection.Remove(gone);
            }
        }

        foreach (var item in entries ?? [])
        {
            var entry = item.Entry;
            var old = collection.Peek(entry.Name);
            if (item.AppendFrom is { } from)
            {
                Prepend(entry, old, from, log);
            }

            if (old is not null)
            {
                collection.Remove(old);
            }

            collection.Add(entry);
        }
    }

    private static void Prepend(ObjectEntry entry, ObjectEntry? old, int from, TextWriter log)
    {
        switch (entry)
        {
            case SecretEntry s:
                s.Versions = Joined((old as SecretEntry)?.Versions, from, s.Versions, entry.Name, log);
                break;
            case KeyEntry k:
                k.Versions = Joined((old as KeyEntry)?.Versions, from, k.Versions, entry.Name, log);
                break;
            case CertificateEntry c:
                c.Versions = Joined((old as CertificateEntry)?.Versions, from, c.Versions, entry.Name, log);
                break;
        }
    }

    private static List<TVersion> Joined<TVersion>(List<TVersion>? before, int from, List<TVersion> added, string name, TextWriter log)
    {
        before ??= [];
        if (before.Count < from)
        {
            log.WriteLine($"LocalVault: the journal names {from} earlier versions of '{name}' but {before.Count} were replayed.");
        }

        var joined = new List<TVersion>(Math.Min(from, before.Count) + added.Count);
        joined.AddRange(before.Take(from));
        joined.AddRange(added);
        return joined;
    }

    private static List<EntryRecord<TEntry>>? Entries<TEntry, TVersion>(
        ObjectCollection<TEntry> collection,
        string[] names,
        Func<TEntry, EntryState, List<TVersion>, TEntry> copy,
        out List<string>? removed)
        where TEntry : VersionedEntry<TVersion>
        where TVersion : ObjectVersion
    {
        removed = null;
        List<EntryRecord<TEntry>>? list = null;
        foreach (var name in names)
        {
            var entry = collection.Peek(name);
            if (entry is null || VaultStateFile.Settled(entry) is not { } state)
            {
                (removed ??= []).Add(name);
                continue;
            }

            var current = entry.Versions;
            var journaled = entry.JournaledVersions;
            int? from = null;
            List<TVersion> versions;
            if (journaled is not null && journaled.Length <= current.Count && StartsWith(current, journaled))
            {
                from = journaled.Length;
                versions = current.GetRange(journaled.Length, current.Count - journaled.Length);
            }
            else
            {
                versions = [.. current];
            }

            entry.JournaledVersions = [.. current];
            (list ??= []).Add(new EntryRecord<TEntry> { Entry = copy(entry, state, versions), AppendFrom = from });
        }

        return list;
    }

    private static bool StartsWith<TVersion>(List<TVersion> current, TVersion[] prefix)
        where TVersion : class
    {
        for (var i = 0; i < prefix.Length; i++)
        {
            if (!ReferenceEquals(current[i], prefix[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static void MarkJournaled<TEntry>(ObjectCollection<TEntry> collection)
        where TEntry : ObjectEntry
    {
        foreach (var entry in collection.Entries)
        {
            switch (entry)
            {
                case SecretEntry s:
                    s.JournaledVersions = [.. s.Versions];
                    break;
                case KeyEntry k:
                    k.JournaledVersions = [.. k.Versions];
                    break;
                case CertificateEntry c:
                    c.JournaledVersions = [.. c.Versions];
                    break;
            }
        }
    }
}
