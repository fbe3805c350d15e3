using System.Globalization;
using KvArchive.Engine.Storage;

namespace KvArchive.Engine.Archive;

/// <summary>
/// The writer's blob target: the archive is written to a local temporary file as always, and
/// <see cref="BlobArchiveUpload"/> stages its finished prefix as blocks while the backup runs, then commits the block
/// list in <see cref="Commit"/> (with the blob's metadata) instead of moving the file into place. Resuming an
/// interrupted backup is for file targets only.
/// </summary>
internal sealed partial class ArchiveWriter
{
    /// <summary>Metadata names on a committed blob: a container listing tells which archive is which.</summary>
    internal static class BlobMetadata
    {
        /// <summary>The source vault(s), space-separated URIs.</summary>
        public const string Vaults = "kvarchive_vaults";

        /// <summary>Objects saved (saved or changed).</summary>
        public const string Saved = "kvarchive_saved";

        /// <summary>Things asked for and not saved.</summary>
        public const string NotSaved = "kvarchive_notsaved";

        /// <summary>Objects recorded as failed.</summary>
        public const string Failed = "kvarchive_failed";

        /// <summary>"true" when everything asked for was saved.</summary>
        public const string Complete = "kvarchive_complete";

        /// <summary>The archive format version.</summary>
        public const string FormatVersion = "kvarchive_formatversion";

        /// <summary>When the backup completed (round-trip UTC).</summary>
        public const string CompletedOn = "kvarchive_completedon";
    }

    private BlobArchiveUpload? _upload;

    /// <summary>Where the archive goes when its path is a blob URL; null for a file.</summary>
    internal BlobArchiveUpload? Upload => _upload;

    private static ArchiveWriter CreateInBlob(string url, bool overwrite, DateTimeOffset startedOn, string? formatVersion, ArchiveStorageOptions? storage)
    {
        var address = BlobArchiveAddress.Parse(url);
        var upload = BlobArchiveUpload.Start(address, storage ?? new ArchiveStorageOptions(), overwrite);
        var tempPath = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $".kvarchive-upload.{Guid.NewGuid():N}.partial");
        FileStream? file = null;
        try
        {
            file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.None);
            var rows = new FileStream(tempPath + ".rows", FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
            var writer = new ArchiveWriter(address.DisplayPath, tempPath, overwrite, startedOn, file, rows, formatVersion ?? ArchiveFormat.Version);
            writer._upload = upload;
            upload.Attach(file.SafeFileHandle);
            writer.WriteHeaderEntry();
            return writer;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            upload.Dispose();
            file?.Dispose();
            TryDelete(tempPath);
            throw WriteFailed(address.DisplayPath, e);
        }
    }

    /// <summary>After an entry: hands the finished prefix to the upload once a block's worth more is there.</summary>
    private void AdvanceUpload()
    {
        if (_upload is { } upload && _file is { } file && upload.Due(file.Position))
        {
            try
            {
                file.Flush();
            }
            catch (IOException e)
            {
                throw WriteFailed(Path, e);
            }

            upload.Advance(file.Position);
        }
    }

    /// <summary>At commit, with the file complete and flushed: stages the rest and commits the blob.</summary>
    private void CommitUpload(FileStream file, DateTimeOffset completedOn)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [BlobMetadata.Vaults] = string.Join(' ', _sourceVaults.Select(v => v.AbsoluteUri)),
            [BlobMetadata.Saved] = (_counts.Saved + _counts.Changed).ToString(CultureInfo.InvariantCulture),
            [BlobMetadata.NotSaved] = _notSaved.Total.ToString(CultureInfo.InvariantCulture),
            [BlobMetadata.Failed] = _counts.Failed.ToString(CultureInfo.InvariantCulture),
            [BlobMetadata.Complete] = _notSaved.Total == 0 ? "true" : "false",
            [BlobMetadata.FormatVersion] = _formatVersion,
            [BlobMetadata.CompletedOn] = completedOn.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        };
        _upload!.Commit(file.Length, metadata);
    }
}
