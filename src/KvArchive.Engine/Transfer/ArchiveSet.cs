using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// The archives a restore reads, each opened once (or its failure remembered), with how many entries of each kind
/// they hold (the restore plans from listings of the target only where that costs less). Closes them together.
/// </summary>
internal sealed class ArchiveSet : IDisposable
{
    private readonly Dictionary<string, ArchiveReader> _readers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KvException> _bad = new(StringComparer.Ordinal);
    private readonly Dictionary<KvObjectType, int> _entries = [];

    /// <summary>The open archive at a full path, or null with the reason it cannot be read.</summary>
    public ArchiveReader? Open(string path, out KvException? error)
    {
        error = null;
        if (_readers.TryGetValue(path, out var reader))
        {
            return reader;
        }

        if (_bad.TryGetValue(path, out error))
        {
            return null;
        }

        try
        {
            reader = ArchiveReader.Open(path);
            _readers[path] = reader;
            foreach (var item in reader.Items)
            {
                _entries[item.Type] = _entries.GetValueOrDefault(item.Type) + 1;
            }

            return reader;
        }
        catch (KvException e)
        {
            _bad[path] = e;
            error = e;
            return null;
        }
    }

    /// <summary>Entries of a kind in the archives opened so far.</summary>
    public int EntriesOf(KvObjectType type) => _entries.GetValueOrDefault(type);

    public void Dispose()
    {
        foreach (var reader in _readers.Values)
        {
            reader.Dispose();
        }

        _readers.Clear();
    }
}
