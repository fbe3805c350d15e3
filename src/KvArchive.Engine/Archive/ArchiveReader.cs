// Over 350 lines on purpose: opening, reading and verifying share the file handle, the trailer and the manifest index; h-import adds entry copying here.
using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KvArchive.Engine.Hosting;
using KvArchive.Engine.Storage;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Archive;

/// <summary>
/// Opens an archive, lists its objects and reads their blobs, each checked against its SHA-256 so that a
/// damaged entry is never handed out. Opening checks the trailer, the format version and the manifest's
/// hash (cheap); <see cref="Verify(CancellationToken)"/> checks every byte. Thread-safe: blobs are read with positional reads.
/// </summary>
public sealed class ArchiveReader : IDisposable, IArchiveSource
{
    private readonly ArchiveBytes _file;
    private readonly long _length;
    private readonly long _hashedLength;
    private readonly ArchiveTrailerDocument _trailer;
    private readonly ArchiveManifestDocument _manifest;

    private ArchiveReader(string path, ArchiveBytes file, long length, long hashedLength, ArchiveTrailerDocument trailer, ManifestIndex manifest)
    {
        Path = path;
        _file = file;
        _length = length;
        _hashedLength = hashedLength;
        _trailer = trailer;
        _manifest = manifest.Document;
        Items = new ArchiveItemList(path, file, manifest);
    }

    /// <summary>The archive file's full path.</summary>
    public string Path { get; }

    /// <summary>The format version the archive states (major.minor).</summary>
    public string FormatVersion => _manifest.FormatVersion;

    /// <summary>The KvArchive version that wrote it.</summary>
    public string? ToolVersion => _manifest.ToolVersion;

    /// <summary>The vaults it was backed up from.</summary>
    public IReadOnlyList<Uri> SourceVaults => _manifest.SourceVaults;

    /// <summary>When the backup started.</summary>
    public DateTimeOffset StartedOn => _manifest.StartedOn;

    /// <summary>When the backup completed.</summary>
    public DateTimeOffset CompletedOn => _manifest.CompletedOn;

    /// <summary>
    /// Whether everything asked for was saved. Format 1.1 records it; for a 1.0 archive (which did not record what
    /// was asked for) it is true only when nothing failed and something was saved.
    /// </summary>
    public bool IsComplete => _manifest.Complete
        ?? (_manifest.Counts.Failed == 0 && _manifest.Counts.Saved + _manifest.Counts.Changed > 0);

    /// <summary>Whether the archive records what was asked for (format 1.1 and later).</summary>
    public bool RecordsCompleteness => _manifest.Complete is not null;

    /// <summary>
    /// Every object the manifest lists, in the order they were recorded. Read from the file as they are asked for
    /// (the reader holds no description of every object), so enumerate it while the reader is open; an item still in
    /// use is handed out again as the same instance, and an item keeps its description after the reader is closed.
    /// </summary>
    public IReadOnlyList<ArchiveItem> Items { get; }

    /// <summary>
    /// Opens an archive. Throws <see cref="KvException"/>: <see cref="KvErrorIds.ArchiveNotFound"/> when the
    /// file does not exist; <see cref="KvErrorIds.ArchiveVersionUnsupported"/> for a newer major format;
    /// <see cref="KvErrorIds.ArchiveInvalid"/> for a truncated, damaged or foreign file.
    /// </summary>
    public static ArchiveReader Open(string path) => Open(path, (ArchiveStorageOptions?)null);

    /// <summary>
    /// Opens an archive in a file or, for an http(s) URL, in a blob (read with ranged requests: opening reads the
    /// trailer and the manifest, nothing else). <paramref name="storage"/> says how to sign in to the storage account;
    /// null for the defaults (<see cref="ArchiveStorageOptions"/>). Throws as <see cref="Open(string)"/> does.
    /// </summary>
    public static ArchiveReader Open(string path, ArchiveStorageOptions? storage)
    {
        if (BlobArchiveAddress.IsBlobUrl(path))
        {
            var address = BlobArchiveAddress.Parse(path);
            var bytes = BlobArchiveBytes.Open(address, storage ?? new ArchiveStorageOptions());
            try
            {
                return Open(address.DisplayPath, bytes);
            }
            catch
            {
                bytes.Dispose();
                throw;
            }
        }

        var fullPath = FullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new KvException(KvErrorKind.InvalidArgument, KvErrorIds.ArchivePathInvalid, $"'{fullPath}' is a folder, not an archive file.");
        }

        ArchiveBytes file;
        try
        {
            file = new FileArchiveBytes(File.OpenHandle(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new KvException(KvErrorKind.NotFound, KvErrorIds.ArchiveNotFound, $"The archive '{fullPath}' does not exist; check the path.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KvException(KvErrorKind.PermissionDenied, KvErrorIds.ArchiveInvalid, $"The archive '{fullPath}' cannot be opened: {e.Message}", e);
        }

        try
        {
            return Open(fullPath, file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks an archive offline and never throws for a damaged one: the problems are in the result.
    /// Throws only when the file does not exist.
    /// </summary>
    public static ArchiveVerification Verify(string path, CancellationToken cancellationToken = default)
        => Verify(path, null, cancellationToken);

    /// <summary>Checks an archive in a file or a blob (see <see cref="Open(string, ArchiveStorageOptions?)"/>); never throws for a damaged one.</summary>
    public static ArchiveVerification Verify(string path, ArchiveStorageOptions? storage, CancellationToken cancellationToken = default)
    {
        ArchiveReader reader;
        try
        {
            reader = Open(path, storage);
        }
        catch (KvException e) when (e.Kind == KvErrorKind.InvalidData)
        {
            var fullPath = FullPath(path);
            return new ArchiveVerification { Path = fullPath, Errors = [new KvError(e, fullPath)] };
        }

        using (reader)
        {
            return reader.Verify(cancellationToken);
        }
    }

    /// <summary>
    /// Reads an item's blob: the exact bytes the service returned, after checking its size and SHA-256.
    /// Throws <see cref="KvException"/> <see cref="KvErrorIds.ArchiveEntryInvalid"/> when the entry is damaged
    /// or the archive holds no blob for the item.
    /// </summary>
    public byte[] ReadBlob(ArchiveItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (!string.Equals(item.Path, Path, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The item {item} belongs to the archive '{item.Path}', not '{Path}'.", nameof(item));
        }

        var row = item.Row;
        if (row.Blob is null || row.BlobOffset is null || row.Sha256 is null)
        {
            throw EntryInvalid(item, $"the archive holds no backup of it ({row.Status.ToString().ToLowerInvariant()}: {row.Reason ?? "no reason recorded"})");
        }

        if (row.Size > ArchiveLimits.MaxBlobBytes)
        {
            throw LimitExceeded(Path, $"the blob of {item} has {row.Size:N0} bytes, more than the {ArchiveLimits.MaxBlobBytes:N0} a blob may have");
        }

        var entry = ZipLocalEntry.TryRead(_file, _length, row.BlobOffset.Value, row.Blob, row.Size, out var problem)
            ?? throw EntryInvalid(item, problem!);
        byte[] blob;
        try
        {
            blob = entry.ReadAll(_file);
        }
        catch (Exception e) when (e is IOException)
        {
            throw EntryInvalid(item, e.Message);
        }

        var sha = Hex(SHA256.HashData(blob));
        if (!string.Equals(sha, row.Sha256, StringComparison.Ordinal))
        {
            throw EntryInvalid(item, "its SHA-256 does not match the manifest (the bytes were changed or damaged)");
        }

        return blob;
    }

    /// <summary>
    /// Checks every byte offline: the whole-file SHA-256 of the trailer, the first entry, the manifest's
    /// counts, every header entry and every blob (each bad one named), and that the ZIP directory lists
    /// exactly the entries the manifest names (so other ZIP tools see the same archive).
    /// </summary>
    public ArchiveVerification Verify(CancellationToken cancellationToken = default)
    {
        var errors = new List<KvError>();
        _file.PrepareFullRead(cancellationToken);
        var whole = HashPrefix(_file, _hashedLength, cancellationToken);
        if (!string.Equals(whole, _trailer.Sha256, StringComparison.Ordinal))
        {
            errors.Add(new KvError(Invalid(Path, "its checksum does not match: the file was changed or damaged after it was written"), Path));
        }

        var verified = 0;
        var expectedNames = new HashSet<string>(StringComparer.Ordinal) { ArchiveFormat.HeaderEntryName, ArchiveFormat.ManifestEntryName };
        foreach (var item in Items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var row = item.Row;
            if (row.Header is not null)
            {
                expectedNames.Add(row.Header);
            }

            if (row.Blob is not null)
            {
                expectedNames.Add(row.Blob);
            }

            var problem = CheckHeader(row);
            if (problem is null && row.Status is ArchiveEntryStatus.Saved or ArchiveEntryStatus.Changed)
            {
                if (row.Blob is null || row.Sha256 is null || row.BlobOffset is null)
                {
                    problem = "the manifest lists it as saved but names no blob";
                }
                else
                {
                    try
                    {
                        ReadBlob(item);
                        verified++;
                    }
                    catch (KvException e)
                    {
                        errors.Add(new KvError(e, item));
                        continue;
                    }
                }
            }

            if (problem is not null)
            {
                errors.Add(new KvError(EntryInvalid(item, problem), item));
            }
        }

        var counts = _manifest.Counts;
        if (counts.Total != Items.Count
            || counts.Saved != Items.Count(i => i.Status == ArchiveEntryStatus.Saved)
            || counts.Changed != Items.Count(i => i.Status == ArchiveEntryStatus.Changed)
            || counts.Failed != Items.Count(i => i.Status == ArchiveEntryStatus.Failed)
            || counts.Skipped != Items.Count(i => i.Status == ArchiveEntryStatus.Skipped))
        {
            errors.Add(new KvError(Invalid(Path, "the manifest's counts do not match its entries"), Path));
        }

        var notSaved = _manifest.NotSaved;
        if (notSaved is not null && !NotSavedAgrees(notSaved))
        {
            errors.Add(new KvError(Invalid(Path, "the manifest's record of what was not saved does not match its entries"), Path));
        }

        CheckZipDirectory(expectedNames, errors);
        return new ArchiveVerification
        {
            Path = Path,
            FormatVersion = FormatVersion,
            ToolVersion = ToolVersion,
            SourceVaults = SourceVaults,
            StartedOn = StartedOn,
            CompletedOn = CompletedOn,
            EntryCount = Items.Count,
            VerifiedCount = verified,
            SavedCount = counts.Saved,
            ChangedCount = counts.Changed,
            FailedCount = counts.Failed,
            SkippedCount = counts.Skipped,
            IsComplete = errors.Count == 0 && IsComplete,
            RecordsCompleteness = RecordsCompleteness,
            NotSavedCount = notSaved?.Total ?? counts.Failed,
            RefusedCount = notSaved?.Refused ?? Items.Count(i => i.Status == ArchiveEntryStatus.Failed && i.Row.ErrorId == KvErrorIds.PermissionDenied),
            NotFoundCount = notSaved?.NotFound ?? Items.Count(i => i.Status == ArchiveEntryStatus.Failed && i.Row.ErrorId == KvErrorIds.ObjectNotFound),
            RequestCount = (_manifest.Requested?.Count ?? 0) + (_manifest.RequestedObjects ?? 0),
            NotSaved = (notSaved?.Problems ?? []).Select(Describe).ToList().AsReadOnly(),
            Errors = errors.AsReadOnly(),
        };
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();

    /// <summary>The not-saved counts add up, cover the failed rows by cause, and agree with <c>complete</c>.</summary>
    private bool NotSavedAgrees(ArchiveNotSavedDocument notSaved)
    {
        int refused = 0, notFound = 0, failed = 0;
        foreach (var item in Items)
        {
            if (item.Status != ArchiveEntryStatus.Failed)
            {
                continue;
            }

            _ = item.Row.ErrorId switch
            {
                KvErrorIds.PermissionDenied => refused++,
                KvErrorIds.ObjectNotFound => notFound++,
                _ => failed++,
            };
        }

        return notSaved.Total == notSaved.Failed + notSaved.Refused + notSaved.NotFound
            && notSaved.Refused >= refused && notSaved.NotFound >= notFound && notSaved.Failed >= failed
            && notSaved.Problems.Count <= notSaved.Total - (refused + notFound + failed)
            && _manifest.Complete == (notSaved.Total == 0);
    }

    private static string Describe(ArchiveProblemDocument problem)
    {
        var what = problem.Kind is { } kind ? (problem.Name is null ? $"every {kind.Word()}" : $"{kind.Word()} '{problem.Name}'") : $"'{problem.Name}'";
        return $"{what} of {problem.VaultUri?.ToString() ?? "the vault"}: {problem.ErrorId} {problem.Reason}".TrimEnd();
    }

    private static ArchiveReader Open(string path, ArchiveBytes file)
    {
        var length = file.Length;
        var eocd = FindEndRecord(file, length, out var comment);
        if (eocd < 0)
        {
            ThrowIfNewerVersion(path, file, length, headerVersion: null);
            throw Invalid(path, "it is truncated or is not a KvArchive archive (its end record is missing)");
        }

        if (!comment.StartsWith(ArchiveFormat.TrailerPrefix, StringComparison.Ordinal))
        {
            ThrowIfNewerVersion(path, file, length, headerVersion: null);
            throw Invalid(path, "it is not a KvArchive archive, or it was not finished (its trailer is missing)");
        }

        ArchiveTrailerDocument trailer;
        try
        {
            trailer = JsonSerializer.Deserialize<ArchiveTrailerDocument>(comment[ArchiveFormat.TrailerPrefix.Length..], ArchiveFormat.Json)
                ?? throw new JsonException("empty trailer");
        }
        catch (JsonException e)
        {
            throw Invalid(path, "its trailer is damaged", e);
        }

        ThrowIfNewerVersion(path, file, length, trailer.FormatVersion);

        var manifestEntry = ZipLocalEntry.TryRead(file, length, trailer.ManifestOffset, ArchiveFormat.ManifestEntryName, trailer.ManifestLength, out var problem)
            ?? throw Invalid(path, $"its manifest cannot be found: {problem}");
        if (!string.Equals(ManifestIndex.Hash(file, manifestEntry.DataOffset, manifestEntry.Length), trailer.ManifestSha256, StringComparison.Ordinal))
        {
            throw Invalid(path, "its manifest is damaged (its SHA-256 does not match the trailer)");
        }

        // Streamed, not held: the manifest's own properties and where each row is; every row is parsed once here so
        // that a row that cannot be read makes the archive unreadable now, not halfway through a restore.
        ManifestIndex manifest;
        try
        {
            manifest = ManifestIndex.Read(file, manifestEntry.DataOffset, manifestEntry.Length);
            for (var i = 0; i < manifest.Offsets.Length; i++)
            {
                manifest.ReadRow(file, i);
            }
        }
        catch (ArchiveLimitException e)
        {
            throw LimitExceeded(path, e.Message, e);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException or EndOfStreamException or OverflowException)
        {
            throw Invalid(path, "its manifest cannot be read", e);
        }

        if (manifest.Document.Format != ArchiveFormat.FormatName || manifest.Document.FormatVersion != trailer.FormatVersion)
        {
            throw Invalid(path, "its manifest does not agree with its trailer");
        }

        var header = ReadHeaderEntry(file, length) ?? throw Invalid(path, $"its first entry is not {ArchiveFormat.HeaderEntryName}");
        if (header.Format != ArchiveFormat.FormatName || header.FormatVersion != trailer.FormatVersion)
        {
            throw Invalid(path, $"its {ArchiveFormat.HeaderEntryName} does not agree with its trailer");
        }

        return new ArchiveReader(path, file, length, eocd + 20, trailer, manifest);
    }

    private static void ThrowIfNewerVersion(string path, ArchiveBytes file, long length, string? headerVersion)
    {
        var version = headerVersion ?? ReadHeaderEntry(file, length)?.FormatVersion;
        if (version is null)
        {
            return;
        }

        if (!ArchiveFormat.TryParseVersion(version, out var major, out _))
        {
            throw Invalid(path, $"its format version '{version}' is not of the form major.minor");
        }

        if (major > ArchiveFormat.Major)
        {
            throw new KvException(
                KvErrorKind.InvalidData,
                KvErrorIds.ArchiveVersionUnsupported,
                $"The archive '{path}' has format version {version}, written by a newer KvArchive; this version ({ArchiveFormat.ToolVersion}) reads format {ArchiveFormat.Major}.x. Update the KvArchive module to read it.");
        }
    }

    private static ArchiveHeaderDocument? ReadHeaderEntry(ArchiveBytes file, long length)
    {
        var entry = ZipLocalEntry.TryRead(file, length, 0, ArchiveFormat.HeaderEntryName, -1, out _);
        if (entry is null || entry.Value.Length > 64 * 1024)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ArchiveHeaderDocument>(entry.Value.ReadAll(file), ArchiveFormat.Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The offset of the end-of-central-directory record whose comment runs to the end of the file, or -1.</summary>
    private static long FindEndRecord(ArchiveBytes file, long length, out string comment)
    {
        comment = string.Empty;
        var tailLength = (int)Math.Min(length, ArchiveFormat.EndOfCentralDirectorySize + ushort.MaxValue);
        if (tailLength < ArchiveFormat.EndOfCentralDirectorySize)
        {
            return -1;
        }

        var tail = new byte[tailLength];
        if (file.Read(tail, length - tailLength) != tailLength)
        {
            return -1;
        }

        for (var i = tailLength - ArchiveFormat.EndOfCentralDirectorySize; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) == ArchiveFormat.EndOfCentralDirectorySignature
                && i + ArchiveFormat.EndOfCentralDirectorySize + BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(i + 20)) == tailLength)
            {
                comment = Encoding.ASCII.GetString(tail, i + ArchiveFormat.EndOfCentralDirectorySize, tailLength - i - ArchiveFormat.EndOfCentralDirectorySize);
                return length - tailLength + i;
            }
        }

        return -1;
    }

    private string? CheckHeader(ArchiveEntryDocument row)
    {
        if (row.Header is null)
        {
            return row.Status == ArchiveEntryStatus.Skipped ? null : "the manifest names no header entry for it";
        }

        if (row.HeaderOffset is null || row.HeaderLength is null || row.HeaderSha256 is null)
        {
            return "the manifest does not say where its header entry is";
        }

        if (row.HeaderLength.Value > ArchiveLimits.MaxRowBytes)
        {
            return $"its header entry {row.Header} has {row.HeaderLength.Value:N0} bytes, more than the {ArchiveLimits.MaxRowBytes:N0} a header may have";
        }

        var entry = ZipLocalEntry.TryRead(_file, _length, row.HeaderOffset.Value, row.Header, row.HeaderLength.Value, out var problem);
        if (entry is null)
        {
            return $"its header entry {row.Header} is damaged: {problem}";
        }

        var bytes = entry.Value.ReadAll(_file);
        if (!string.Equals(Hex(SHA256.HashData(bytes)), row.HeaderSha256, StringComparison.Ordinal))
        {
            return $"its header entry {row.Header} is damaged (its SHA-256 does not match the manifest)";
        }

        try
        {
            var header = JsonSerializer.Deserialize<ArchiveEntryDocument>(bytes, ArchiveFormat.Json);
            if (header is null || header.Kind != row.Kind || header.Name != row.Name || header.Sha256 != row.Sha256 || header.Size != row.Size || header.Status != row.Status)
            {
                return $"its header entry {row.Header} does not agree with the manifest";
            }
        }
        catch (JsonException)
        {
            return $"its header entry {row.Header} cannot be read";
        }

        return null;
    }

    private void CheckZipDirectory(HashSet<string> expectedNames, List<KvError> errors)
    {
        // The end record (just before the hashed length's comment-length field) says how large the directory is.
        Span<byte> end = stackalloc byte[ArchiveFormat.EndOfCentralDirectorySize - 2];
        if (_file.Read(end, _hashedLength - 20) == end.Length
            && BinaryPrimitives.ReadUInt32LittleEndian(end[12..]) is var directorySize and > (uint)ArchiveLimits.MaxCentralDirectoryBytes)
        {
            errors.Add(new KvError(LimitExceeded(Path, $"its ZIP directory has {directorySize:N0} bytes, more than the {ArchiveLimits.MaxCentralDirectoryBytes:N0} it may have"), Path));
            return;
        }

        try
        {
            using var stream = _file.OpenStream();
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false, entryNameEncoding: Encoding.UTF8);
            var names = zip.Entries.Select(e => e.FullName).ToList();
            if (names.Count == 0 || names[0] != ArchiveFormat.HeaderEntryName)
            {
                errors.Add(new KvError(Invalid(Path, $"its ZIP directory does not start with {ArchiveFormat.HeaderEntryName}"), Path));
            }

            var present = new HashSet<string>(names, StringComparer.Ordinal);
            var missing = expectedNames.Where(n => !present.Contains(n)).ToList();
            var extra = names.Where(n => !expectedNames.Contains(n)).ToList();
            if (missing.Count > 0 || extra.Count > 0 || present.Count != names.Count)
            {
                var detail = string.Join("; ", new[]
                {
                    missing.Count > 0 ? "missing " + string.Join(", ", missing.Take(5)) : null,
                    extra.Count > 0 ? "unexpected " + string.Join(", ", extra.Take(5)) : null,
                    present.Count != names.Count ? "duplicate names" : null,
                }.Where(s => s is not null));
                errors.Add(new KvError(Invalid(Path, $"its ZIP directory does not match the manifest ({detail})"), Path));
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            errors.Add(new KvError(Invalid(Path, $"its ZIP directory is damaged ({e.Message}); other ZIP tools may not open it, though KvArchive can still read its intact entries", e), Path));
        }
    }

    private static string HashPrefix(ArchiveBytes file, long length, CancellationToken cancellationToken)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long offset = 0;
        while (offset < length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var n = file.Read(buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - offset)), offset);
            if (n == 0)
            {
                break;
            }

            sha.AppendData(buffer, 0, n);
            offset += n;
        }

        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }

    private static string FullPath(string path)
    {
        if (BlobArchiveAddress.IsBlobUrl(path))
        {
            return BlobArchiveAddress.Parse(path).DisplayPath;
        }

        try
        {
            return System.IO.Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new KvException(KvErrorKind.InvalidArgument, KvErrorIds.ArchivePathInvalid, $"'{path.Replace("\0", "\\0", StringComparison.Ordinal)}' is not a valid archive path: {e.Message}", e);
        }
    }

    /// <summary>Lower-case hex, as the format states every hash; compared ordinally so that any changed byte counts.</summary>
    private static string Hex(byte[] hash) => Convert.ToHexString(hash).ToLowerInvariant();

    private static KvException LimitExceeded(string path, string problem, Exception? inner = null)
        => new(KvErrorKind.InvalidData, KvErrorIds.ArchiveLimitExceeded, $"The archive '{path}' cannot be used: {problem} (it is damaged, or not written by KvArchive). Use another copy of the archive, or run the backup again.", inner);

    private static KvException Invalid(string path, string problem, Exception? inner = null)
        => new(KvErrorKind.InvalidData, KvErrorIds.ArchiveInvalid, $"The archive '{path}' cannot be used: {problem}. Use another copy of the archive, or run the backup again.", inner);

    private KvException EntryInvalid(ArchiveItem item, string problem)
        => new(KvErrorKind.InvalidData, KvErrorIds.ArchiveEntryInvalid, $"The archive entry for {item} ({item.Entry ?? item.Row.Header ?? "no entry"}) in '{Path}' is damaged: {problem}.")
        {
            ObjectType = item.Type,
            ObjectName = item.Name,
        };
}
