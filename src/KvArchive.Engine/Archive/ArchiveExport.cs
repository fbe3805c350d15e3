using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Archive;

/// <summary>
/// Writes archive entries out as backup files: the blob's exact bytes, no framing, which is what
/// <c>az keyvault … restore --file</c>, <c>Restore-AzKeyVault…</c> and the portal's Restore Backup read. Each blob is
/// checked against its SHA-256 first, written to a temporary file beside the target and moved into place.
/// </summary>
public static class ArchiveExport
{
    /// <summary>
    /// The file an entry is exported to under a folder: its path inside the archive
    /// (<c>secrets/db-password.blob</c>, <c>certificates/web-tls.blob</c>), so the kind is kept in the folder's name.
    /// </summary>
    public static string TargetPath(ArchiveItem item, string folder)
    {
        ArgumentNullException.ThrowIfNull(item);
        var entry = item.Entry ?? $"{ArchiveFormat.KindFolder(item.Type)}/{item.Name}.blob";
        return System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, entry.Replace('/', System.IO.Path.DirectorySeparatorChar)));
    }

    /// <summary>Writes an entry's blob to a file (its folder is created); returns the file's full path.</summary>
    /// <exception cref="KvException"><see cref="KvErrorIds.ArchiveEntryInvalid"/> (damaged or no blob),
    /// <see cref="KvErrorIds.ExportFileExists"/> (the file exists and <paramref name="overwrite"/> is false),
    /// <see cref="KvErrorIds.ArchiveWriteFailed"/>.</exception>
    public static string Write(ArchiveReader reader, ArchiveItem item, string filePath, bool overwrite)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(item);
        var fullPath = System.IO.Path.GetFullPath(filePath);
        if (File.Exists(fullPath) && !overwrite)
        {
            throw new KvException(KvErrorKind.Conflict, KvErrorIds.ExportFileExists, $"The file '{fullPath}' already exists; the {item.Type.Word()} '{item.Name}' was not exported.")
            {
                ObjectType = item.Type,
                ObjectName = item.Name,
            };
        }

        var blob = reader.ReadBlob(item);
        var folder = System.IO.Path.GetDirectoryName(fullPath)!;
        var temp = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.partial");
        try
        {
            Directory.CreateDirectory(folder);
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(blob);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, fullPath, overwrite);
            return fullPath;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temp);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // A leftover temporary file never has the target's name.
            }

            if (!overwrite && File.Exists(fullPath))
            {
                throw new KvException(KvErrorKind.Conflict, KvErrorIds.ExportFileExists, $"The file '{fullPath}' was created by someone else meanwhile; the {item.Type.Word()} '{item.Name}' was not exported.", e);
            }

            throw new KvException(KvErrorKind.Unknown, KvErrorIds.ArchiveWriteFailed, $"Could not write the file '{fullPath}': {e.Message}", e)
            {
                ObjectType = item.Type,
                ObjectName = item.Name,
            };
        }
    }
}
