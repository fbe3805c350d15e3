namespace KvArchive.Engine.Archive;

/// <summary>A backup file read as a one-entry archive, for a restore straight from az's or Az PowerShell's files.</summary>
internal sealed class RawBackupSource : IArchiveSource
{
    private readonly RawBackupFile _file;
    private readonly ArchiveItem _item;

    public RawBackupSource(RawBackupFile file)
    {
        _file = file;
        _item = file.ToItem();
        Items = [_item];
    }

    public string Path => _file.Path;

    public IReadOnlyList<ArchiveItem> Items { get; }

    public byte[] ReadBlob(ArchiveItem item)
    {
        if (!ReferenceEquals(item, _item) && !(item.Path == _item.Path && item.Type == _item.Type && item.Name == _item.Name))
        {
            throw new ArgumentException($"The item {item} does not belong to the backup file '{Path}'.", nameof(item));
        }

        // A copy: the restore owns what it is given.
        var blob = _file.Blob;
        return [.. blob];
    }

    public void Dispose()
    {
        // The bytes were read when the file was opened; nothing is held open.
    }
}
