using KvArchive.Engine.Storage;

namespace KvArchive.Engine.Transfer;

/// <summary>How a backup runs.</summary>
public sealed class BackupOptions
{
    /// <summary>The archive file to write.</summary>
    public required string Path { get; init; }

    /// <summary>
    /// Allows replacing an existing archive (-Force). The old archive is replaced only when the new one is
    /// complete; without Force an existing archive is an error before any work.
    /// </summary>
    public bool Force { get; init; }

    /// <summary>How to sign in to storage when <see cref="Path"/> or <see cref="BaseArchivePath"/> is a blob URL; null for the defaults.</summary>
    public ArchiveStorageOptions? Storage { get; init; }

    /// <summary>
    /// The archive of an earlier backup to build on (an incremental backup): objects whose listing shows them as it
    /// recorded them are copied from it, the others backed up. Verified in full before anything is copied.
    /// </summary>
    public string? BaseArchivePath { get; init; }

    /// <summary>
    /// Continues an interrupted backup of the same path (stopped, failed, or its process killed): what it saved is
    /// kept (copied, not backed up again) unless the listing shows the object changed since, by the rules of an
    /// incremental base. Nothing to continue from: a full backup. Without it, such leftovers are removed.
    /// </summary>
    public bool Resume { get; init; }

    /// <summary>
    /// The oldest a copied entry's blob may be (its backup time): older ones are backed up again, so that every
    /// object is taken from the vault at least this often (what a listing cannot show, such as a change to an older
    /// version, is caught then). Default 7 days; <see cref="TimeSpan.Zero"/> copies nothing.
    /// </summary>
    public TimeSpan MaxCopiedAge { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Writes the archive even when nothing was saved (every object failed, or nothing matched). Without it such a
    /// backup writes no archive and ends with <see cref="Vault.KvErrorIds.ArchiveEmpty"/>.
    /// </summary>
    public bool AllowEmpty { get; init; }

    /// <summary>Objects backed up at the same time (1-64).</summary>
    public int ThrottleLimit { get; init; } = TransferDefaults.ThrottleLimit;

    /// <summary>The vault of requests that name none (by-name requests); defaults to the source client's vault.</summary>
    public Uri? VaultUri { get; init; }

    /// <summary>How many objects are coming, when the caller knows (for percent and time left).</summary>
    public int? ExpectedCount { get; init; }

    /// <summary>
    /// The rate control to use; pass the same instance as the observer of a client created before the session.
    /// Null: the session creates one in budget mode for Key Vault's 10-second windows (<see cref="AdaptiveRateOptions.KeyVault"/>)
    /// and passes it to the client factory.
    /// </summary>
    public AdaptiveRateLimiter? RateLimiter { get; init; }

    /// <summary>
    /// Lists each object's versions before its backup so that the manifest records every version's id and times
    /// (one more request per object). Without it an object that came from a listing costs its backup alone and its
    /// manifest row holds the current version's properties from the listing, without version ids; objects named
    /// without a listing item have their versions listed either way.
    /// </summary>
    public bool RecordVersions { get; init; }

    /// <summary>
    /// Checks each object for changes during its backup by listing its versions again (the way before listing
    /// checks), instead of from a re-listing of the vault. For tests and comparisons.
    /// </summary>
    internal bool PerObjectChangeCheck { get; init; }
}
