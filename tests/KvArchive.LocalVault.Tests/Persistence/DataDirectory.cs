namespace KvArchive.LocalVault.Tests.Persistence;

/// <summary>A temporary --data-dir, removed on dispose, with the journal files LocalVault keeps in it.</summary>
public sealed class DataDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kvarchive-lv-journal-" + Guid.NewGuid().ToString("N"));

    /// <summary>journal-{generation}.lvj files, oldest first.</summary>
    public IReadOnlyList<string> Journals => Directory.GetFiles(Path, "journal-*.lvj").Order(StringComparer.Ordinal).ToList();

    public string Snapshot => System.IO.Path.Combine(Path, "state.lvsnap");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
