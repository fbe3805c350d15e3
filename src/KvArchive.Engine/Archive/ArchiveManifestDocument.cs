using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Archive;

/// <summary>The JSON of <c>manifest.json</c>, the last entry.</summary>
internal sealed class ArchiveManifestDocument
{
    public required string Format { get; set; }
    public required string FormatVersion { get; set; }
    public string? ToolVersion { get; set; }
    public List<Uri> SourceVaults { get; set; } = [];
    public DateTimeOffset StartedOn { get; set; }
    public DateTimeOffset CompletedOn { get; set; }
    public ArchiveCountsDocument Counts { get; set; } = new();

    // Format 1.1: what the backup was asked for and what it did not save. Null in a 1.0 archive.

    /// <summary>True when everything asked for was saved (nothing failed, refused or not found).</summary>
    public bool? Complete { get; set; }

    /// <summary>The whole-vault and name/pattern requests, with how many objects each matched (the first <see cref="ArchiveLimits.MaxRequests"/>).</summary>
    public List<ArchiveRequestDocument>? Requested { get; set; }

    /// <summary>Objects asked for one by one (piped), not listed by a request.</summary>
    public int? RequestedObjects { get; set; }

    /// <summary>What was not saved, by cause, with the problems that have no row (a listing refused, a name not found).</summary>
    public ArchiveNotSavedDocument? NotSaved { get; set; }

    public List<ArchiveEntryDocument> Entries { get; set; } = [];
}

/// <summary>Counts of the manifest's entries by status.</summary>
internal sealed class ArchiveCountsDocument
{
    public int Total { get; set; }
    public int Saved { get; set; }
    public int Changed { get; set; }
    public int Failed { get; set; }
    public int Skipped { get; set; }
}

/// <summary>One request of a backup: a whole vault (no name) or a name or pattern, of some kinds.</summary>
internal sealed class ArchiveRequestDocument
{
    public Uri? VaultUri { get; set; }
    public List<KvObjectType> Kinds { get; set; } = [];
    public string? Name { get; set; }
    public int Matched { get; set; }
}

/// <summary>
/// What a backup did not save: <c>failed</c> (rows with status failed, other causes), <c>refused</c> (permission
/// denied: rows, and kinds whose listing was refused), <c>notFound</c> (names not found, patterns that matched
/// nothing). <c>total</c> is their sum. <c>problems</c> lists the ones without a row (the first
/// <see cref="ArchiveLimits.MaxProblems"/>).
/// </summary>
internal sealed class ArchiveNotSavedDocument
{
    public int Total { get; set; }
    public int Failed { get; set; }
    public int Refused { get; set; }
    public int NotFound { get; set; }
    public List<ArchiveProblemDocument> Problems { get; set; } = [];
}

/// <summary>Something asked for that has no manifest row: a kind whose listing was refused, a name not found.</summary>
internal sealed class ArchiveProblemDocument
{
    public Uri? VaultUri { get; set; }
    public KvObjectType? Kind { get; set; }
    public string? Name { get; set; }
    public string? ErrorId { get; set; }
    public string? Reason { get; set; }
}
