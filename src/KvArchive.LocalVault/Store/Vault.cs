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

    public Vault(string name, VaultSettings settings, string baseUri)
    {
        Name = name;
        _settings = settings;
        BaseUri = baseUri;
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

    public Lock Gate { get; } = new();

    public ObjectCollection<SecretEntry> Secrets { get; } = new();

    public ObjectCollection<KeyEntry> Keys { get; } = new();

    public ObjectCollection<CertificateEntry> Certificates { get; } = new();

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

    public long NextSequence() => ++Sequence;

    /// <summary>Records that the state changed and must be persisted.</summary>
    public void MarkDirty() => Volatile.Write(ref _dirty, 1);

    /// <summary>Takes the dirty flag (true if a save is due).</summary>
    public bool TakeDirty() => Interlocked.Exchange(ref _dirty, 0) == 1;

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
