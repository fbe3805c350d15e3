namespace KvArchive.Engine.Storage;

/// <summary>
/// An archive in a blob container, as a listing shows it: its URL, size and date, and what its metadata records
/// (KvArchive writes it when it commits the blob). Immutable; read without opening the archive.
/// </summary>
public sealed class ArchiveBlobInfo
{
    /// <summary>The blob's URL without any SAS: an archive path for the other cmdlets.</summary>
    public required string Path { get; init; }

    /// <summary>The blob's name in its container.</summary>
    public required string Name { get; init; }

    /// <summary>When the blob was last written.</summary>
    public DateTimeOffset? LastModified { get; init; }

    /// <summary>Its size in bytes.</summary>
    public long Size { get; init; }

    /// <summary>The vaults it was backed up from (empty when the blob has no KvArchive metadata).</summary>
    public IReadOnlyList<Uri> SourceVaults { get; init; } = [];

    /// <summary>Objects saved, per its metadata; null without metadata.</summary>
    public int? SavedCount { get; init; }

    /// <summary>Things asked for and not saved, per its metadata.</summary>
    public int? NotSavedCount { get; init; }

    /// <summary>Objects recorded as failed, per its metadata.</summary>
    public int? FailedCount { get; init; }

    /// <summary>Whether everything asked for was saved, per its metadata; null without metadata.</summary>
    public bool? IsComplete { get; init; }

    /// <summary>The archive format version, per its metadata.</summary>
    public string? FormatVersion { get; init; }

    /// <summary>When the backup completed, per its metadata.</summary>
    public DateTimeOffset? CompletedOn { get; init; }

    /// <summary>Whether the blob carries KvArchive's metadata (false: a .kva blob uploaded some other way).</summary>
    public bool HasMetadata { get; init; }

    /// <inheritdoc />
    public override string ToString() => Path;
}
