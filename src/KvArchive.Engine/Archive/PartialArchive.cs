using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KvArchive.Engine.Vault;
using Microsoft.Win32.SafeHandles;

namespace KvArchive.Engine.Archive;

/// <summary>
/// What an interrupted backup left beside its archive path: its temporary files (<c>.name.guid.partial</c>), kept
/// when the run was stopped or failed after saving something, or left by a killed process. Each is a ZIP written
/// front to back, one header entry and one blob per object; <see cref="Scan"/> walks it from the start and keeps
/// every object whose header and blob are whole and whose blob matches the SHA-256 its header states, and stops
/// at the first entry that is cut short (a process killed mid-write). <see cref="Salvage"/> writes what all the
/// leftovers of a path hold into one finished archive, the base a resumed backup copies from.
/// </summary>
internal static class PartialArchive
{
    /// <summary>The leftovers of earlier runs writing <paramref name="fullPath"/> that no live process holds, newest first.</summary>
    public static IReadOnlyList<string> Find(string fullPath)
        => ArchiveWriter.TempFiles(fullPath)
            .Where(f => f.EndsWith(".partial", StringComparison.Ordinal) && !IsLocked(f))
            .OrderByDescending(File.GetLastWriteTimeUtc)
            .ToList();

    /// <summary>
    /// The objects a leftover holds whole: each entry's document (as its header entry states it) and where its blob
    /// lies. Never throws for a damaged file: what cannot be read ends the scan, and what came before it is kept.
    /// <paramref name="checkBlobs"/> false skips reading the blobs against their SHA-256 (a count for a warning; a
    /// resume always checks them).
    /// </summary>
    public static IReadOnlyList<(ArchiveEntryDocument Document, long BlobOffset)> Scan(string path, bool checkBlobs = true)
    {
        var found = new List<(ArchiveEntryDocument, long)>();
        try
        {
            using var file = new FileArchiveBytes(File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read));
            var length = file.Length;
            var first = Next(file, length, 0);
            if (first is not { } header || header.Name != ArchiveFormat.HeaderEntryName || !IsOurs(file, header))
            {
                return found;
            }

            var offset = header.DataOffset + header.Length;
            while (Next(file, length, offset) is { } entry)
            {
                offset = entry.DataOffset + entry.Length;
                if (!entry.Name.EndsWith(".json", StringComparison.Ordinal) || entry.Length > ArchiveLimits.MaxRowBytes)
                {
                    break;
                }

                var document = JsonSerializer.Deserialize<ArchiveEntryDocument>(entry.ReadAll(file), ArchiveFormat.Json);
                if (document is null)
                {
                    break;
                }

                if (document.Status is not (ArchiveEntryStatus.Saved or ArchiveEntryStatus.Changed))
                {
                    // A failed object's header entry: nothing to keep, and no blob follows.
                    continue;
                }

                if (document.Blob is null || document.Sha256 is null || document.Size > ArchiveLimits.MaxBlobBytes
                    || Next(file, length, offset) is not { } blob || blob.Name != document.Blob || blob.Length != document.Size)
                {
                    break;
                }

                offset = blob.DataOffset + blob.Length;
                if (checkBlobs && !string.Equals(Convert.ToHexString(SHA256.HashData(blob.ReadAll(file))), document.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    break;
                }

                found.Add((document, blob.DataOffset));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException or ArgumentException or OverflowException)
        {
            // What was read so far stands; the rest is lost with the process that was writing it.
        }

        return found;
    }

    /// <summary>
    /// Writes every object the leftovers hold (the latest backup of each, by vault, kind and name) into one finished
    /// archive beside <paramref name="fullPath"/>, named as a leftover itself so that a resumed run killed in turn
    /// leaves it to the next one. Returns its path and how many objects it holds, or null when there is nothing
    /// to continue from. The leftovers themselves are left; the next writer of the path removes them.
    /// </summary>
    public static string? Salvage(string fullPath, DateTimeOffset now, out int count)
    {
        count = 0;
        var latest = new Dictionary<(string, KvObjectType, string), (string Path, ArchiveEntryDocument Document, long BlobOffset)>();
        foreach (var leftover in Find(fullPath))
        {
            foreach (var (document, blobOffset) in Scan(leftover))
            {
                var key = (document.VaultUri?.Authority.ToLowerInvariant() ?? string.Empty, document.Kind, document.Name.ToLowerInvariant());
                if (!latest.TryGetValue(key, out var known) || (document.BackedUpOn ?? DateTimeOffset.MinValue) > (known.Document.BackedUpOn ?? DateTimeOffset.MinValue))
                {
                    latest[key] = (leftover, document, blobOffset);
                }
            }
        }

        if (latest.Count == 0)
        {
            return null;
        }

        var folder = Path.GetDirectoryName(fullPath)!;
        var salvage = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.partial");
        using (var writer = ArchiveWriter.Create(salvage, overwrite: false, now))
        {
            var handles = new Dictionary<string, SafeFileHandle>(StringComparer.Ordinal);
            try
            {
                foreach (var (path, document, blobOffset) in latest.Values.OrderBy(v => v.Document.BackedUpOn))
                {
                    if (!handles.TryGetValue(path, out var handle))
                    {
                        handles[path] = handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
                    }

                    var blob = new byte[document.Size];
                    RandomAccess.Read(handle, blob, blobOffset);
                    var copy = document.ForHeader();
                    writer.WriteEntry(copy, blob);
                }
            }
            finally
            {
                foreach (var handle in handles.Values)
                {
                    handle.Dispose();
                }
            }

            writer.Commit(now);
        }

        count = latest.Count;
        return salvage;
    }

    /// <summary>The local entry at <paramref name="offset"/> when it is a whole stored entry; null otherwise.</summary>
    private static ZipLocalEntry? Next(ArchiveBytes file, long length, long offset)
    {
        Span<byte> fixedPart = stackalloc byte[ArchiveFormat.LocalHeaderFixedSize];
        if (offset + fixedPart.Length > length || file.Read(fixedPart, offset) != fixedPart.Length
            || BinaryPrimitives.ReadUInt32LittleEndian(fixedPart) != ArchiveFormat.LocalHeaderSignature)
        {
            return null;
        }

        // Bit 3: the sizes follow the data (a writer that could not seek back); a size of 0xFFFFFFFF: ZIP64. Neither
        // is how KvArchive writes an entry, so the scan ends there.
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[6..]);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart[18..]);
        var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[26..]);
        if ((flags & 0x8) != 0 || size == uint.MaxValue || nameLength == 0)
        {
            return null;
        }

        var nameBytes = new byte[nameLength];
        if (file.Read(nameBytes, offset + fixedPart.Length) != nameLength)
        {
            return null;
        }

        var entry = ZipLocalEntry.TryRead(file, length, offset, Encoding.UTF8.GetString(nameBytes), size, out _);
        return entry is { } whole && whole.DataOffset + whole.Length <= length ? whole : null;
    }

    private static bool IsOurs(ArchiveBytes file, ZipLocalEntry header)
    {
        if (header.Length > ArchiveLimits.MaxRowBytes)
        {
            return false;
        }

        var document = JsonSerializer.Deserialize<ArchiveHeaderDocument>(header.ReadAll(file), ArchiveFormat.Json);
        return document?.Format == ArchiveFormat.FormatName
            && ArchiveFormat.TryParseVersion(document.FormatVersion, out var major, out _) && major == 1;
    }

    /// <summary>Whether a live writer holds the file (its exclusive lock).</summary>
    private static bool IsLocked(string path)
    {
        try
        {
            using (File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
            }

            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }
}
