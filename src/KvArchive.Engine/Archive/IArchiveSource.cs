namespace KvArchive.Engine.Archive;

/// <summary>
/// Where a restore reads entries from: an archive (<see cref="ArchiveReader"/>) or a single backup file taken as a
/// one-entry archive (<see cref="RawBackupSource"/>).
/// </summary>
internal interface IArchiveSource : IDisposable
{
    /// <summary>The file's full path.</summary>
    string Path { get; }

    /// <summary>Its entries.</summary>
    IReadOnlyList<ArchiveItem> Items { get; }

    /// <summary>An entry's blob, checked against its SHA-256.</summary>
    byte[] ReadBlob(ArchiveItem item);
}
