using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Archive;

/// <summary>
/// One object as the archive describes it: the JSON of its header entry, and (with the entry locations
/// filled in) its row in the manifest. Non-secret metadata only.
/// </summary>
internal sealed class ArchiveEntryDocument
{
    public required KvObjectType Kind { get; set; }
    public required string Name { get; set; }
    public Uri? VaultUri { get; set; }
    public required ArchiveEntryStatus Status { get; set; }

    /// <summary>Why it failed, was skipped or is marked changed.</summary>
    public string? Reason { get; set; }

    /// <summary>The stable error id of a failure.</summary>
    public string? ErrorId { get; set; }

    /// <summary>When the blob was taken.</summary>
    public DateTimeOffset? BackedUpOn { get; set; }

    // Metadata of the current (latest) version.
    public string? Version { get; set; }
    public bool? Enabled { get; set; }
    public DateTimeOffset? NotBefore { get; set; }
    public DateTimeOffset? ExpiresOn { get; set; }
    public DateTimeOffset? CreatedOn { get; set; }
    public DateTimeOffset? UpdatedOn { get; set; }
    public string? ContentType { get; set; }
    public Dictionary<string, string>? Tags { get; set; }
    public bool Managed { get; set; }
    public string? KeyType { get; set; }
    public string? CurveName { get; set; }
    public string? Thumbprint { get; set; }

    public List<ArchiveVersion>? Versions { get; set; }

    // The blob: its ZIP entry, size in bytes and SHA-256 (lower-case hex) of the exact bytes.
    public string? Blob { get; set; }
    public long Size { get; set; }
    public string? Sha256 { get; set; }

    // Manifest only: where the entries are, so a reader needs neither the central directory nor a ZIP library.
    public string? Header { get; set; }
    public long? HeaderOffset { get; set; }
    public long? HeaderLength { get; set; }
    public string? HeaderSha256 { get; set; }
    public long? BlobOffset { get; set; }

    /// <summary>A copy without the manifest-only fields: what the header entry holds.</summary>
    public ArchiveEntryDocument ForHeader()
    {
        var copy = (ArchiveEntryDocument)MemberwiseClone();
        copy.Header = null;
        copy.HeaderOffset = null;
        copy.HeaderLength = null;
        copy.HeaderSha256 = null;
        copy.BlobOffset = null;
        return copy;
    }
}
