// Over 350 lines on purpose: one writer owns the temporary files, their locks and the format's write order; split, each part would need the others' state.
using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using KvArchive.Engine.Storage;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Archive;

/// <summary>
/// Streams an archive to a temporary file beside the target and moves it into place only in
/// <see cref="Commit"/>. Thread-safe: workers write entries as their backups complete. Memory holds no blob and
/// no manifest row: each row is written as it comes to a second temporary file (its JSON), which Commit copies
/// into the manifest, so memory stays flat however many objects there are. Disposing an uncommitted writer leaves
/// whatever was at the target path untouched; its temporary file is deleted, or, for a backup, kept (with its name, a
/// hidden <c>.name.guid.partial</c>) when it holds saved objects and nothing failed to write: the resume point of
/// <see cref="PartialArchive"/>. Each entry is handed to the operating system as it is written, so a killed process
/// loses at most the entry it was writing.
/// </summary>
internal sealed partial class ArchiveWriter : IDisposable
{
    private readonly object _gate = new();
    private readonly bool _overwrite;
    private readonly ArchiveCountsDocument _counts = new();
    private readonly HashSet<string> _usedBaseNames = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Uri> _sourceVaults = [];
    private readonly List<ArchiveRequestDocument> _requests = [];
    private readonly ArchiveNotSavedDocument _notSaved = new();
    private int _requestedObjects;
    private FileStream? _file;
    private FileStream? _rows;
    private ZipArchive? _zip;
    private readonly string _formatVersion;
    private bool _committed;
    private bool _closed;
    private bool _writeFailed;

    private ArchiveWriter(string path, string tempPath, bool overwrite, DateTimeOffset startedOn, FileStream file, FileStream rows, string formatVersion)
    {
        _formatVersion = formatVersion;
        Path = path;
        TempPath = tempPath;
        _overwrite = overwrite;
        StartedOn = startedOn;
        _file = file;
        _rows = rows;
        _zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: Encoding.UTF8);
    }

    /// <summary>The archive's final path (full).</summary>
    public string Path { get; }

    /// <summary>The temporary file being written, in the same folder.</summary>
    public string TempPath { get; }

    /// <summary>When the backup started.</summary>
    public DateTimeOffset StartedOn { get; }

    /// <summary>Rows recorded so far.</summary>
    public int Count { get { lock (_gate) { return _counts.Total; } } }

    /// <summary>Objects saved so far (saved or changed): what the archive can restore.</summary>
    public int SavedCount { get { lock (_gate) { return _counts.Saved + _counts.Changed; } } }

    /// <summary>Things asked for and not saved so far (failed, refused, not found).</summary>
    public int NotSavedCount { get { lock (_gate) { return _notSaved.Total; } } }

    /// <summary>
    /// Keeps the temporary file when the writer is disposed uncommitted, if it holds saved objects and no write failed
    /// (a backup's resume point; an import or an export has none).
    /// </summary>
    public bool KeepForResume { get; init; }

    /// <summary>The temporary file, when an uncommitted writer kept it for a resumed run (see <see cref="Dispose"/>).</summary>
    public string? KeptPath { get; private set; }

    /// <summary>True while everything asked for so far was saved: what the manifest's <c>complete</c> records.</summary>
    public bool IsComplete { get { lock (_gate) { return _notSaved.Total == 0; } } }

    /// <summary>
    /// Records a request (a whole vault when <paramref name="name"/> is null, else a name or pattern) and how many
    /// objects it matched. A pattern that matched nothing is also recorded as not found.
    /// </summary>
    public void RecordRequest(Uri? vaultUri, IEnumerable<KvObjectType> kinds, string? name, int matched)
    {
        lock (_gate)
        {
            Open();
            if (_requests.Count < ArchiveLimits.MaxRequests)
            {
                _requests.Add(new ArchiveRequestDocument { VaultUri = vaultUri, Kinds = [.. kinds], Name = name, Matched = matched });
            }
        }
    }

    /// <summary>Counts an object asked for by itself (piped), not through a request.</summary>
    public void RecordRequestedObject()
    {
        lock (_gate)
        {
            _requestedObjects++;
        }
    }

    /// <summary>
    /// Records something asked for that has no row: a kind whose listing was refused, a name that was not found, a
    /// pattern that matched nothing. Counted by its error id (refused, not found, failed); the archive is not complete.
    /// </summary>
    public void RecordProblem(ArchiveProblemDocument problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        lock (_gate)
        {
            Open();
            CountNotSaved(problem.ErrorId);
            if (_notSaved.Problems.Count < ArchiveLimits.MaxProblems)
            {
                _notSaved.Problems.Add(problem);
            }
        }
    }

    /// <summary>
    /// Starts an archive. Fails at once (before any work) when the path exists and <paramref name="overwrite"/>
    /// is false, or its folder does not exist. <paramref name="formatVersion"/> lets tests write what another
    /// KvArchive version would state; the engine always writes <see cref="ArchiveFormat.Version"/>.
    /// </summary>
    public static ArchiveWriter Create(string path, bool overwrite, DateTimeOffset startedOn, string? formatVersion = null, bool keepForResume = false, ArchiveStorageOptions? storage = null)
    {
        if (BlobArchiveAddress.IsBlobUrl(path))
        {
            return CreateInBlob(path, overwrite, startedOn, formatVersion, storage);
        }

        string fullPath;
        try
        {
            fullPath = System.IO.Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new KvException(KvErrorKind.InvalidArgument, KvErrorIds.ArchiveWriteFailed, $"'{path}' is not a valid archive path: {e.Message}", e);
        }

        if (Directory.Exists(fullPath))
        {
            throw new KvException(KvErrorKind.InvalidArgument, KvErrorIds.ArchiveWriteFailed, $"'{fullPath}' is a folder; give the archive's file path, e.g. '{System.IO.Path.Combine(fullPath, "vault.kva")}'.");
        }

        if (File.Exists(fullPath) && !overwrite)
        {
            throw new KvException(KvErrorKind.Conflict, KvErrorIds.ArchiveExists, $"The archive '{fullPath}' already exists.");
        }

        var folder = System.IO.Path.GetDirectoryName(fullPath)!;
        if (!Directory.Exists(folder))
        {
            throw new KvException(KvErrorKind.NotFound, KvErrorIds.ArchiveWriteFailed, $"The folder '{folder}' does not exist; create it or choose another archive path.");
        }

        RemoveStaleTempFiles(fullPath);
        var tempPath = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.partial");
        FileStream? file = null;
        try
        {
            // FileShare.None is an OS lock (flock on Unix) held until the file is closed: another run's cleanup
            // sees the file is live and leaves it.
            file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.None);

            // The manifest's rows, until Commit copies them; gone when closed, whatever happens.
            var rows = new FileStream(tempPath + ".rows", FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
            var writer = new ArchiveWriter(fullPath, tempPath, overwrite, startedOn, file, rows, formatVersion ?? ArchiveFormat.Version) { KeepForResume = keepForResume };
            writer.WriteHeaderEntry();
            return writer;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            file?.Dispose();
            TryDelete(tempPath);
            throw WriteFailed(fullPath, e);
        }
    }

    /// <summary>
    /// Writes a backed-up object: its header entry, then its blob (the exact bytes). Fills in the document's
    /// blob name, size and SHA-256, and returns the manifest row.
    /// </summary>
    public ArchiveEntryDocument WriteEntry(ArchiveEntryDocument document, ReadOnlySpan<byte> blob)
    {
        if (document.Status is not (ArchiveEntryStatus.Saved or ArchiveEntryStatus.Changed))
        {
            throw new ArgumentException("Only saved or changed objects carry a blob.", nameof(document));
        }

        var sha = Convert.ToHexString(SHA256.HashData(blob)).ToLowerInvariant();
        lock (_gate)
        {
            var zip = Open();
            var baseName = UniqueBaseName(document.Kind, document.Name);
            document.Blob = baseName + ".blob";
            document.Size = blob.Length;
            document.Sha256 = sha;
            var row = WriteHeader(zip, baseName, document);
            row.BlobOffset = Position();
            WriteStored(zip, document.Blob, blob);
            AddRow(row);
            Flush();
            return row;
        }
    }

    /// <summary>
    /// Records an object with no blob: a failed one gets a header entry and a manifest row, a skipped one a
    /// manifest row only.
    /// </summary>
    public ArchiveEntryDocument RecordWithoutBlob(ArchiveEntryDocument document)
    {
        if (document.Status is not (ArchiveEntryStatus.Failed or ArchiveEntryStatus.Skipped))
        {
            throw new ArgumentException("Saved or changed objects need a blob.", nameof(document));
        }

        lock (_gate)
        {
            var zip = Open();
            document.Blob = null;
            document.Size = 0;
            document.Sha256 = null;
            var row = document;
            if (document.Status == ArchiveEntryStatus.Failed)
            {
                row = WriteHeader(zip, UniqueBaseName(document.Kind, document.Name), document);
            }

            AddRow(row);
            return row;
        }
    }

    /// <summary>
    /// Writes the manifest and the trailer, flushes to disk, and moves the file into place (replacing an
    /// existing archive only when overwrite was allowed).
    /// </summary>
    public void Commit(DateTimeOffset completedOn)
    {
        lock (_gate)
        {
            var zip = Open();
            var file = _file!;
            try
            {
                var manifest = new ArchiveManifestDocument
                {
                    Format = ArchiveFormat.FormatName,
                    FormatVersion = _formatVersion,
                    ToolVersion = ArchiveFormat.ToolVersion,
                    SourceVaults = [.. _sourceVaults],
                    StartedOn = StartedOn,
                    CompletedOn = completedOn,
                    Counts = _counts,
                };
                if (!ArchiveFormat.TryParseVersion(_formatVersion, out var major, out var minor) || major > 1 || minor >= 1)
                {
                    // Format 1.1: what was asked for and what was not saved (tests write 1.0 as older versions did).
                    manifest.Complete = _notSaved.Total == 0;
                    manifest.Requested = _requests;
                    manifest.RequestedObjects = _requestedObjects;
                    manifest.NotSaved = _notSaved;
                }

                var manifestOffset = Position();
                var (manifestLength, manifestSha256) = WriteManifest(zip, manifest);
                zip.Dispose();
                _zip = null;

                // The ZIP ends with its end-of-central-directory record: 22 bytes, the last two the comment length.
                var eocd = file.Length - ArchiveFormat.EndOfCentralDirectorySize;
                Span<byte> record = stackalloc byte[ArchiveFormat.EndOfCentralDirectorySize];
                file.Position = eocd;
                file.ReadExactly(record);
                if (BinaryPrimitives.ReadUInt32LittleEndian(record) != ArchiveFormat.EndOfCentralDirectorySignature
                    || BinaryPrimitives.ReadUInt16LittleEndian(record[20..]) != 0)
                {
                    throw new InvalidDataException("The ZIP writer did not end the file with a plain end-of-central-directory record.");
                }

                var hashedLength = eocd + 20;
                var trailer = new ArchiveTrailerDocument
                {
                    FormatVersion = _formatVersion,
                    ManifestOffset = manifestOffset,
                    ManifestLength = manifestLength,
                    ManifestSha256 = manifestSha256,
                    Sha256 = HashPrefix(file, hashedLength),
                };
                var comment = Encoding.ASCII.GetBytes(ArchiveFormat.TrailerPrefix + JsonSerializer.Serialize(trailer, ArchiveFormat.Json));
                Span<byte> commentLength = stackalloc byte[2];
                BinaryPrimitives.WriteUInt16LittleEndian(commentLength, checked((ushort)comment.Length));
                file.Position = hashedLength;
                file.Write(commentLength);
                file.Write(comment);
                file.Flush(flushToDisk: true);
                if (_upload is not null)
                {
                    CommitUpload(file, completedOn);
                }

                file.Dispose();
                _file = null;
                _rows?.Dispose();
                _rows = null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                _writeFailed = true;
                throw WriteFailed(Path, e);
            }

            try
            {
                if (_upload is not null)
                {
                    TryDelete(TempPath);
                    _upload.Dispose();
                }
                else
                {
                    File.Move(TempPath, Path, _overwrite);
                }
            }
            catch (IOException e) when (!_overwrite && File.Exists(Path))
            {
                throw new KvException(KvErrorKind.Conflict, KvErrorIds.ArchiveExists, $"The archive '{Path}' was created by someone else while the backup ran. Nothing was written.", e);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw WriteFailed(Path, e);
            }

            _committed = true;
            _closed = true;
        }
    }

    /// <summary>
    /// Unless the archive was committed: deletes the temporary file, or, with <see cref="KeepForResume"/>, keeps it
    /// for a resumed run when it holds saved objects and no write failed (<see cref="KeptPath"/>).
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_committed || _closed)
            {
                return;
            }

            _closed = true;
            var keep = KeepForResume && _file is not null && !_writeFailed && _counts.Saved + _counts.Changed > 0;

            // The ZIP is not disposed: that would write a central directory we are about to delete.
            _zip = null;
            try
            {
                _file?.Dispose();
            }
            catch (IOException)
            {
                // The temporary file goes anyway.
            }

            _file = null;
            if (keep)
            {
                KeptPath = TempPath;
            }
            else
            {
                TryDelete(TempPath);
            }

            try
            {
                _rows?.Dispose();
            }
            catch (IOException)
            {
                // Deleted on close anyway.
            }

            _rows = null;
            _upload?.Dispose();
        }
    }

    private ZipArchive Open()
    {
        if (_closed || _zip is null)
        {
            throw new ObjectDisposedException(nameof(ArchiveWriter), "The archive was already completed or abandoned.");
        }

        return _zip;
    }

    private void WriteHeaderEntry()
    {
        var header = new ArchiveHeaderDocument
        {
            Format = ArchiveFormat.FormatName,
            FormatVersion = _formatVersion,
            ToolVersion = ArchiveFormat.ToolVersion,
            StartedOn = StartedOn,
        };
        WriteStored(_zip!, ArchiveFormat.HeaderEntryName, JsonSerializer.SerializeToUtf8Bytes(header, ArchiveFormat.Json));
    }

    private ArchiveEntryDocument WriteHeader(ZipArchive zip, string baseName, ArchiveEntryDocument document)
    {
        var headerBytes = JsonSerializer.SerializeToUtf8Bytes(document.ForHeader(), ArchiveFormat.Json);
        document.Header = baseName + ".json";
        document.HeaderOffset = Position();
        document.HeaderLength = headerBytes.Length;
        document.HeaderSha256 = Convert.ToHexString(SHA256.HashData(headerBytes)).ToLowerInvariant();
        WriteStored(zip, document.Header, headerBytes);
        return document;
    }

    /// <summary>Appends the row's JSON to the rows file (comma-separated, as in the manifest's array) and counts it.</summary>
    private void AddRow(ArchiveEntryDocument row)
    {
        try
        {
            if (_counts.Total > 0)
            {
                _rows!.WriteByte((byte)',');
            }

            JsonSerializer.Serialize(_rows!, row, ArchiveFormat.Json);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _writeFailed = true;
            throw WriteFailed(Path, e);
        }

        _counts.Total++;
        switch (row.Status)
        {
            case ArchiveEntryStatus.Saved:
                _counts.Saved++;
                break;
            case ArchiveEntryStatus.Changed:
                _counts.Changed++;
                break;
            case ArchiveEntryStatus.Failed:
                _counts.Failed++;
                CountNotSaved(row.ErrorId);
                break;
            default:
                _counts.Skipped++;
                break;
        }

        if (row.VaultUri is { } uri && !_sourceVaults.Contains(uri))
        {
            _sourceVaults.Add(uri);
        }

        AdvanceUpload();
    }

    private void CountNotSaved(string? errorId)
    {
        _notSaved.Total++;
        switch (errorId)
        {
            case KvErrorIds.PermissionDenied:
                _notSaved.Refused++;
                break;
            case KvErrorIds.ObjectNotFound:
                _notSaved.NotFound++;
                break;
            default:
                _notSaved.Failed++;
                break;
        }
    }

    /// <summary>
    /// Writes manifest.json: the document's JSON with the rows file copied in as its entries, streamed and hashed
    /// on the way. Returns its length and SHA-256.
    /// </summary>
    private (long Length, string Sha256) WriteManifest(ZipArchive zip, ArchiveManifestDocument manifest)
    {
        // The document with no entries ends in "entries":[]} — its rows go between the brackets.
        var frame = JsonSerializer.SerializeToUtf8Bytes(manifest, ArchiveFormat.Json);
        var tail = "[]}"u8;
        if (!frame.AsSpan().EndsWith(tail))
        {
            throw new InvalidDataException("The manifest's entries are not its last property.");
        }

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = 0;
        var entry = zip.CreateEntry(ArchiveFormat.ManifestEntryName, CompressionLevel.NoCompression);
        using (var stream = entry.Open())
        {
            void Write(ReadOnlySpan<byte> bytes)
            {
                stream.Write(bytes);
                sha.AppendData(bytes);
                length += bytes.Length;
            }

            Write(frame.AsSpan(0, frame.Length - 2));
            var rows = _rows!;
            rows.Flush();
            rows.Position = 0;
            var buffer = new byte[1 << 16];
            int read;
            while ((read = rows.Read(buffer, 0, buffer.Length)) > 0)
            {
                Write(buffer.AsSpan(0, read));
            }

            Write("]}"u8);
        }

        return (length, Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant());
    }

    private long Position() => _file!.Position;

    /// <summary>Hands what was written to the operating system: a process killed after this loses none of it.</summary>
    private void Flush()
    {
        try
        {
            _file!.Flush(flushToDisk: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _writeFailed = true;
            throw WriteFailed(Path, e);
        }
    }

    private void WriteStored(ZipArchive zip, string name, ReadOnlySpan<byte> data)
    {
        try
        {
            var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
            using var stream = entry.Open();
            stream.Write(data);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _writeFailed = true;
            throw WriteFailed(Path, e);
        }
    }

    private string UniqueBaseName(KvObjectType kind, string name)
    {
        var safe = SafeName().IsMatch(name) ? name : UnsafeCharacters().Replace(name, "_");
        var folder = ArchiveFormat.KindFolder(kind);
        var baseName = $"{folder}/{safe}";
        for (var n = 2; !_usedBaseNames.Add(baseName); n++)
        {
            baseName = $"{folder}/{safe}~{n}";
        }

        return baseName;
    }

    private static string HashPrefix(FileStream file, long length)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        file.Position = 0;
        var left = length;
        while (left > 0)
        {
            var n = file.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n == 0)
            {
                throw new EndOfStreamException();
            }

            sha.AppendData(buffer, 0, n);
            left -= n;
        }

        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }

    /// <summary>
    /// Deletes the temporary files that earlier runs writing this same archive path left when they were killed
    /// (<c>.name.guid.partial</c> and its <c>.rows</c>), and only those no live process holds: each is opened with an
    /// exclusive lock first (the lock a live writer holds), and deleted only while that lock is ours. Returns how
    /// many were removed. Best effort: a file that cannot be locked or deleted is left.
    /// </summary>
    internal static int RemoveStaleTempFiles(string fullPath)
    {
        var removed = 0;
        foreach (var candidate in TempFiles(fullPath))
        {
            try
            {
                // Locked by us, then deleted as the handle closes; a live writer's lock makes the open fail.
                using (new FileStream(candidate, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose))
                {
                }

                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // In use by a live run (or not ours to delete): left alone.
            }
        }

        return removed;
    }

    /// <summary>The temporary files of writers of <paramref name="fullPath"/> (live or not): <c>.name.guid.partial</c> and its <c>.rows</c>.</summary>
    internal static IReadOnlyList<string> TempFiles(string fullPath)
    {
        var folder = System.IO.Path.GetDirectoryName(fullPath)!;
        var prefix = "." + System.IO.Path.GetFileName(fullPath) + ".";
        try
        {
            return Directory.EnumerateFiles(folder, prefix + "*", new EnumerationOptions { AttributesToSkip = 0, MatchCasing = MatchCasing.CaseSensitive, RecurseSubdirectories = false })
                .Where(f => TempSuffix().IsMatch(System.IO.Path.GetFileName(f)[prefix.Length..]))
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static KvException WriteFailed(string path, Exception e)
        => new(KvErrorKind.Unknown, KvErrorIds.ArchiveWriteFailed, $"Could not write the archive '{path}': {e.Message} Nothing was written at that path; check the disk space and permissions, then run the backup again.", e);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temporary file never has the archive's name.
        }
    }

    [GeneratedRegex("^[0-9a-f]{32}\\.partial(\\.rows)?$")]
    private static partial Regex TempSuffix();

    [GeneratedRegex("^[0-9A-Za-z-]{1,127}$")]
    private static partial Regex SafeName();

    [GeneratedRegex("[^0-9A-Za-z-]")]
    private static partial Regex UnsafeCharacters();
}
