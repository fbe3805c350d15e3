namespace KvArchive.Engine.Archive;

/// <summary>The JSON of <c>kvarchive.json</c>, the first entry: magic, format version, who wrote it.</summary>
internal sealed class ArchiveHeaderDocument
{
    public required string Format { get; set; }
    public required string FormatVersion { get; set; }
    public string? ToolVersion { get; set; }
    public DateTimeOffset? StartedOn { get; set; }
}
