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
