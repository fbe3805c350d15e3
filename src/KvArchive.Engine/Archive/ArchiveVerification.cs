using KvArchive.Engine.Hosting;

namespace KvArchive.Engine.Archive;

/// <summary>The result of checking an archive offline (what <c>Test-KvArchive</c> emits).</summary>
public sealed class ArchiveVerification
{
    /// <summary>The archive file's full path.</summary>
    public required string Path { get; init; }

    /// <summary>True when the file, its manifest and every entry check out.</summary>
    public bool IsValid => Errors.Count == 0;

    /// <summary>The format version the file states, when it could be read.</summary>
    public string? FormatVersion { get; init; }

    /// <summary>The KvArchive version that wrote it.</summary>
    public string? ToolVersion { get; init; }

    /// <summary>The vaults it was backed up from.</summary>
    public IReadOnlyList<Uri> SourceVaults { get; init; } = [];

    /// <summary>When the backup started.</summary>
    public DateTimeOffset? StartedOn { get; init; }

    /// <summary>When the backup completed.</summary>
    public DateTimeOffset? CompletedOn { get; init; }

    /// <summary>Objects the manifest lists (whatever their status).</summary>
    public int EntryCount { get; init; }

    /// <summary>Objects with a blob that checked out.</summary>
    public int VerifiedCount { get; init; }

    /// <summary>Objects saved.</summary>
    public int SavedCount { get; init; }

    /// <summary>Objects saved while they changed.</summary>
    public int ChangedCount { get; init; }

    /// <summary>Objects whose backup failed.</summary>
    public int FailedCount { get; init; }

    /// <summary>Objects skipped on purpose.</summary>
    public int SkippedCount { get; init; }

    /// <summary>
    /// Every problem found: the archive as a whole (KvArchiveInvalid, KvArchiveVersionUnsupported) or each
    /// bad entry by name (KvArchiveEntryInvalid, the target being the <see cref="ArchiveItem"/>).
    /// </summary>
    public IReadOnlyList<KvError> Errors { get; init; } = [];

    /// <inheritdoc />
    public override string ToString() => IsValid ? $"{Path}: valid, {EntryCount} entries" : $"{Path}: INVALID, {Errors.Count} problem(s)";
}
