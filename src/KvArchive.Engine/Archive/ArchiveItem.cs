using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Archive;

/// <summary>
/// One object in an archive (what <c>Get-KvArchiveItem</c> emits). Read-only. Its property names let
/// <c>Get-KvArchiveItem | Restore-KvObject</c> bind by property name: <see cref="Path"/>, <see cref="Type"/>,
/// <see cref="Name"/>. Metadata only; the blob is read with <see cref="ArchiveReader.ReadBlob"/>.
/// </summary>
public sealed class ArchiveItem
{
    internal ArchiveItem(string path, ArchiveEntryDocument row)
    {
        Path = path;
        Row = row;
        Type = row.Kind;
        Name = row.Name;
        SourceVaultUri = row.VaultUri;
        Status = row.Status;
        Reason = row.Reason;
        Versions = row.Versions is null ? [] : row.Versions.AsReadOnly();
        Version = row.Version;
        Enabled = row.Enabled;
        NotBefore = row.NotBefore;
        ExpiresOn = row.ExpiresOn;
        CreatedOn = row.CreatedOn;
        UpdatedOn = row.UpdatedOn;
        ContentType = row.ContentType;
        Tags = row.Tags is null
            ? new System.Collections.ObjectModel.ReadOnlyDictionary<string, string>(new Dictionary<string, string>())
            : new System.Collections.ObjectModel.ReadOnlyDictionary<string, string>(new Dictionary<string, string>(row.Tags, StringComparer.Ordinal));
        Managed = row.Managed;
        KeyType = row.KeyType;
        Thumbprint = row.Thumbprint;
        Size = row.Size;
        Sha256 = row.Sha256;
        Entry = row.Blob;
        BackedUpOn = row.BackedUpOn;
    }

    /// <summary>The archive file's full path.</summary>
    public string Path { get; }

    /// <summary>Secret, Key or Certificate.</summary>
    public KvObjectType Type { get; }

    /// <summary>The object's name in the source vault.</summary>
    public string Name { get; }

    /// <summary>Every version the backup holds, as listed just before the backup.</summary>
    public IReadOnlyList<ArchiveVersion> Versions { get; }

    /// <summary>The current version's id at backup time.</summary>
    public string? Version { get; }

    /// <summary>Whether the current version was enabled.</summary>
    public bool? Enabled { get; }

    /// <summary>Not valid before this time.</summary>
    public DateTimeOffset? NotBefore { get; }

    /// <summary>Not valid after this time.</summary>
    public DateTimeOffset? ExpiresOn { get; }

    /// <summary>When the current version was created.</summary>
    public DateTimeOffset? CreatedOn { get; }

    /// <summary>When the current version was last updated.</summary>
    public DateTimeOffset? UpdatedOn { get; }

    /// <summary>The content type (secrets).</summary>
    public string? ContentType { get; }

    /// <summary>Tags of the current version, never null.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; }

    /// <summary>True for a certificate's managed key or secret (never backed up on its own).</summary>
    public bool Managed { get; }

    /// <summary>Key type, for keys.</summary>
    public string? KeyType { get; }

    /// <summary>Thumbprint, for certificates.</summary>
    public string? Thumbprint { get; }

    /// <summary>Size of the blob in bytes (0 when there is none).</summary>
    public long Size { get; }

    /// <summary>SHA-256 of the blob (lower-case hex), or null when there is none.</summary>
    public string? Sha256 { get; }

    /// <summary>The vault it was backed up from.</summary>
    public Uri? SourceVaultUri { get; }

    /// <summary>Saved, Changed (backed up while it changed), Failed or Skipped (no blob).</summary>
    public ArchiveEntryStatus Status { get; }

    /// <summary>Why it failed, was skipped or changed.</summary>
    public string? Reason { get; }

    /// <summary>The ZIP entry holding the blob (e.g. secrets/db-password.blob), or null when there is none.</summary>
    public string? Entry { get; }

    /// <summary>When the blob was taken.</summary>
    public DateTimeOffset? BackedUpOn { get; }

    /// <summary>True when the archive holds a blob for it.</summary>
    public bool HasBlob => Entry is not null;

    internal ArchiveEntryDocument Row { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Type.Word()} {Name}";
}
