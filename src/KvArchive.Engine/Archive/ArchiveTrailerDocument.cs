namespace KvArchive.Engine.Archive;

/// <summary>
/// The trailer, in the ZIP comment after <see cref="ArchiveFormat.TrailerPrefix"/>: where the manifest is and
/// the SHA-256 of every byte of the file before the comment-length field of the end-of-central-directory record.
/// </summary>
internal sealed class ArchiveTrailerDocument
{
    public required string FormatVersion { get; set; }
    public long ManifestOffset { get; set; }
    public long ManifestLength { get; set; }
    public required string ManifestSha256 { get; set; }
    public required string Sha256 { get; set; }
}
