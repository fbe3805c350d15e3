using KvArchive.LocalVault.Faults;
using KvArchive.LocalVault.Throttling;

namespace KvArchive.LocalVault.Store;

/// <summary>
/// One vault: settings, the three collections, statistics, budgets and faults. Every read or change of the
/// collections happens under <see cref="Gate"/>, held only for in-memory work (never across I/O or crypto).
/// </summary>
public sealed class Vault
{
    private VaultSettings _settings;
    private FaultPlan? _faults;
    private int _dirty;
    private bool _full;

    public Vault(string name, VaultSettings settings, string baseUri)
    {
        Name = name;
        _settings = settings;
        BaseUri = baseUri;
        Secrets = new ObjectCollection<SecretEntry>(this);
        Keys = new ObjectCollection<KeyEntry>(this);
        Certificates = new ObjectCollection<CertificateEntry>(this);
    }

    /// <summary>Lower-case vault name.</summary>
    public string Name { get; }

    /// <summary>"https://{name}.vault.localhost:{port}" (no trailing slash), the prefix of every id.</summary>
    public string BaseUri { get; set; }

    public VaultSettings Settings
    {
        get => Volatile.Read(ref _settings);
        set => Volatile.Write(ref _settings, value);
    }

    public FaultPlan? Faults
    {
        get => Volatile.Read(ref _faults);
        set => Volatile.Write(ref _faults, value);
    }

    // A plain monitor object: System.Threading.Lock is .NET 9+, and LocalVault targets net8.0.
    public object Gate { get; } = new();

    public ObjectCollection<SecretEntry> Secrets { get; }

    public ObjectCollection<KeyEntry> Keys { get; }

    public ObjectCollection<CertificateEntry> Certificates { get; }

    /// <summary>Certificate issuers by name (case-insensitive).</summary>
    public Dictionary<string, CertificateIssuer> Issuers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Certificate contacts as JSON text (null: none set).</summary>
    public string? ContactsJson { get; set; }

    /// <summary>Last version sequence handed out (under the lock).</summary>
    public long Sequence { get; set; }

    public VaultStats Stats { get; } = new();

    public VaultThrottle Throttle { get; } = new();

    /// <summary>Set once the vault was deleted through the management API.</summary>
    public bool Removed { get; set; }

    /// <summary>True when changes are tracked for a data directory's journal.</summary>
    public bool TracksChanges { get; private set; }

    public long NextSequence() => ++Sequence;

    /// <summary>
    /// Records that the state changed and must be persisted (vault-level state such as settings or contacts, or any
    /// change at all); a mutating request's answer then waits until the vault's record is durable.
    /// </summary>
    public void MarkDirty()
    {
        Volatile.Write(ref _dirty, 1);
        if (TracksChanges)
        {
            MutationScope.Current?.Note(this);
        }
    }

    /// <summary>Records that the whole vault must be journaled (a new vault).</summary>
    public void MarkFull()
    {
        _full = true;
        MarkDirty();
    }

    /// <summary>Takes the dirty flag (true if a save is due).</summary>
    public bool TakeDirty() => Interlocked.Exchange(ref _dirty, 0) == 1;

    /// <summary>Takes the full-capture flag (under the lock).</summary>
    public bool TakeFull()
    {
        var full = _full;
        _full = false;
        return full;
    }

    /// <summary>True when something is waiting to be journaled (under the lock).</summary>
    public bool HasPendingChanges => Volatile.Read(ref _dirty) == 1 || _full || Secrets.HasChanged || Keys.HasChanged || Certificates.HasChanged;

    /// <summary>Starts noting changed entries (a data directory is in use).</summary>
    public void EnableChangeTracking()
    {
        Secrets.EnableTracking();
        Keys.EnableTracking();
        Certificates.EnableTracking();
        TracksChanges = true;
    }

    /// <summary>Finds an entry and applies its due transitions (removing it if purged); null if none.</summary>
    public TEntry? Resolve<TEntry>(ObjectCollection<TEntry> collection, string name, long nowMs, long nowSeconds)
        where TEntry : ObjectEntry
    {
        var entry = collection.Find(name);
        return entry is null ? null : Settle(collection, entry, nowMs, nowSeconds) ? entry : null;
    }

    /// <summary>Applies an entry's due transitions; false if it was purged (and removed).</summary>
    public bool Settle<TEntry>(ObjectCollection<TEntry> collection, TEntry entry, long nowMs, long nowSeconds)
        where TEntry : ObjectEntry
    {
        if (entry is CertificateEntry certificate && certificate.PendingIsDue(nowMs))
        {
            CommitPending(certificate);
        }

        if (SoftDeleteStateMachine.Settle(entry, nowMs, nowSeconds))
        {
            return true;
        }

        collection.Remove(entry);
        MarkDirty();
        return false;
    }

    /// <summary>Completes a certificate's pending create: its certificate, key and secret versions become visible.</summary>
    public void CommitPending(CertificateEntry certificate)
    {
        var pending = certificate.Pending!;
        certificate.RemovePlaceholders();
        certificate.Versions.Add(pending.Certificate! with { Sequence = NextSequence() });
        var key = Keys.Find(certificate.Name);
        if (key is null)
        {
            key = new KeyEntry { Name = certificate.Name, Managed = true };
            Keys.Add(key);
        }

        key.Managed = true;
        key.Versions.Add(pending.Key! with { Sequence = NextSequence() });

        // A completion can happen inside a read (the first poll): note all three names for the journal.
        Certificates.NoteChanged(certificate.Name);
        Keys.NoteChanged(certificate.Name);
        Secrets.NoteChanged(certificate.Name);
        var secret = Secrets.Find(certificate.Name);
        if (secret is null)
        {
            secret = new SecretEntry { Name = certificate.Name, Managed = true };
            Secrets.Add(secret);
        }

        secret.Managed = true;
        secret.Versions.Add(pending.Secret! with { Sequence = NextSequence() });
        pending.Status = "completed";
        pending.Certificate = null;
        pending.Key = null;
        pending.Secret = null;
        MarkDirty();
    }
}
