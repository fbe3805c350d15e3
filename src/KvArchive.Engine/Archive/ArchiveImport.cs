using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Archive;

/// <summary>
/// Writes backup files (<see cref="RawBackupFile"/>) into a new archive: each blob as an entry with its kind,
/// name, size and SHA-256, so the archive restores, verifies and lists like one written by a backup. The archive
/// is written to a temporary file and moved onto its path only by <see cref="Commit"/>; disposing before that
/// leaves the path as it was.
/// </summary>
public sealed class ArchiveImport : IDisposable
{
    private readonly ArchiveWriter _writer;
    private readonly HashSet<(KvObjectType, string)> _names = [];

    private ArchiveImport(ArchiveWriter writer) => _writer = writer;

    /// <summary>The archive's full path.</summary>
    public string Path => _writer.Path;

    /// <summary>Entries written so far.</summary>
    public int Count => _writer.Count;

    /// <summary>Starts an archive at a path (replaced only when <paramref name="overwrite"/> is set).</summary>
    /// <exception cref="KvException"><see cref="KvErrorIds.ArchiveExists"/>, <see cref="KvErrorIds.ArchiveWriteFailed"/>.</exception>
    public static ArchiveImport Create(string path, bool overwrite, DateTimeOffset startedOn)
        => new(ArchiveWriter.Create(path, overwrite, startedOn));

    /// <summary>Writes one backup file's blob as an entry.</summary>
    /// <exception cref="KvException"><see cref="KvErrorIds.ArchiveItemDuplicate"/> when the archive already holds an
    /// object of that kind and name (names compare ignoring case, as the vault's do); nothing is written for it.</exception>
    public void Add(RawBackupFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!_names.Add((file.Type, file.Name.ToLowerInvariant())))
        {
            throw new KvException(KvErrorKind.Conflict, KvErrorIds.ArchiveItemDuplicate, $"The archive '{Path}' already holds a {file.Type.Word()} named '{file.Name}'; the file '{file.Path}' was not added.")
            {
                ObjectType = file.Type,
                ObjectName = file.Name,
            };
        }

        var document = file.ToDocument();
        document.Blob = null;
        _writer.WriteEntry(document, file.Blob);
    }

    /// <summary>Writes the manifest and moves the archive into place.</summary>
    public void Commit(DateTimeOffset completedOn) => _writer.Commit(completedOn);

    /// <summary>Deletes the temporary file unless committed.</summary>
    public void Dispose() => _writer.Dispose();
}
