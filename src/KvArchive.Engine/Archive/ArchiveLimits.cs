namespace KvArchive.Engine.Archive;

/// <summary>
/// The largest parts a reader accepts, checked before anything is allocated, so that a hostile or damaged archive
/// cannot make verifying or restoring it hold more than a fixed amount of memory (docs/ARCHIVE-FORMAT.md, Limits).
/// </summary>
internal static class ArchiveLimits
{
    /// <summary>One manifest row or header entry (500 versions and 15 tags take about 150 KB).</summary>
    public const int MaxRowBytes = 1 << 20;

    /// <summary>One JSON token of the manifest (a property name or value), as it is streamed.</summary>
    public const int MaxTokenBytes = 1 << 20;

    /// <summary>The manifest's requests and not-saved parts, each.</summary>
    public const int MaxSectionBytes = 4 << 20;

    /// <summary>One blob (Key Vault's backups are far smaller).</summary>
    public const long MaxBlobBytes = 64L << 20;

    /// <summary>Rows of one manifest (the index keeps 12 bytes per row: at most 24 MB).</summary>
    public const int MaxRows = 2_000_000;

    /// <summary>The ZIP central directory, which the check against the manifest reads whole (about 90 bytes an entry).</summary>
    public const long MaxCentralDirectoryBytes = 256L << 20;

    /// <summary>Requests recorded by name; more are counted only.</summary>
    public const int MaxRequests = 1000;

    /// <summary>Problems without a row recorded; more are counted only.</summary>
    public const int MaxProblems = 1000;
}
