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
    /// True when the archive is valid and holds everything its backup was asked for: nothing failed, was refused
    /// or not found (a wildcard that matched nothing counts as not found). A 1.0 archive, which does not record what
    /// was asked for, is complete when nothing failed and something was saved.
    /// </summary>
    public bool IsComplete { get; init; }

    /// <summary>Whether the archive records what was asked for (format 1.1 and later).</summary>
    public bool RecordsCompleteness { get; init; }

    /// <summary>Things asked for and not saved (failed, refused and not found).</summary>
    public int NotSavedCount { get; init; }

    /// <summary>Of those, refused (permission denied: an object, or a whole kind whose listing was refused).</summary>
    public int RefusedCount { get; init; }

    /// <summary>Of those, not found (a name not found, a pattern that matched nothing).</summary>
    public int NotFoundCount { get; init; }

    /// <summary>Requests the backup recorded (whole vaults, names and patterns, and objects piped one by one).</summary>
    public int RequestCount { get; init; }

    /// <summary>What was not saved without a row of its own (a refused listing, a name not found), described.</summary>
    public IReadOnlyList<string> NotSaved { get; init; } = [];

    /// <summary>
    /// Every problem found: the archive as a whole (KvArchiveInvalid, KvArchiveVersionUnsupported) or each
    /// bad entry by name (KvArchiveEntryInvalid, the target being the <see cref="ArchiveItem"/>).
    /// </summary>
    public IReadOnlyList<KvError> Errors { get; init; } = [];

    /// <inheritdoc />
    public override string ToString() => IsValid
        ? $"{Path}: valid, {(IsComplete ? "complete" : $"INCOMPLETE ({NotSavedCount} not saved)")}, {EntryCount} entries"
        : $"{Path}: INVALID, {Errors.Count} problem(s)";
}
