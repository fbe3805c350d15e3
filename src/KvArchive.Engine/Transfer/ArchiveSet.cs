using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// The archives a restore reads, each opened once (or its failure remembered), with how many entries of each kind
/// they hold (the restore plans from listings of the target only where that costs less). Closes them together.
/// A file that is no archive but a Key Vault backup file (az CLI, Az PowerShell, the portal) opens as a one-entry
/// archive (<see cref="RawBackupSource"/>), its kind and name from the blob and the file, or from the hints.
/// </summary>
internal sealed class ArchiveSet : IDisposable
{
    private readonly Dictionary<string, IArchiveSource> _readers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KvException> _bad = new(StringComparer.Ordinal);
    private readonly Dictionary<KvObjectType, int> _entries = [];

    /// <summary>The open archive at a full path, or null with the reason it cannot be read.</summary>
    /// <param name="path">The file's full path.</param>
    /// <param name="error">Why it cannot be read.</param>
    /// <param name="type">For a backup file: its kind, when the caller knows it (a key's blob cannot tell a certificate).</param>
    /// <param name="name">For a backup file: its object's name, when the file's name is not it.</param>
    public IArchiveSource? Open(string path, out KvException? error, KvObjectType? type = null, string? name = null)
    {
        error = null;
        var key = path;
        if (_readers.TryGetValue(path, out var reader))
        {
            // A backup file read with other hints (a key's blob named a certificate) is another entry.
            if (reader is not RawBackupSource || Fits(reader.Items[0], type, name))
            {
                return reader;
            }

            key = $"{path}\n{type}\n{name}";
            if (_readers.TryGetValue(key, out reader))
            {
                return reader;
            }
        }

        if (_bad.TryGetValue(key, out error))
        {
            return null;
        }

        try
        {
            reader = OpenSource(path, type, name);
            _readers[key] = reader;
            foreach (var item in reader.Items)
            {
                _entries[item.Type] = _entries.GetValueOrDefault(item.Type) + 1;
            }

            return reader;
        }
        catch (KvException e)
        {
            _bad[key] = e;
            error = e;
            return null;
        }
    }

    private static bool Fits(ArchiveItem item, KvObjectType? type, string? name)
        => (type is null || item.Type == type) && (name is null || string.Equals(item.Name, name, StringComparison.Ordinal));

    private static IArchiveSource OpenSource(string path, KvObjectType? type, string? name)
    {
        try
        {
            return ArchiveReader.Open(path);
        }
        catch (KvException e) when (e.ErrorId == KvErrorIds.ArchiveInvalid && RawBackupFile.LooksLikeBackup(path))
        {
            return new RawBackupSource(RawBackupFile.Read(path, type, name));
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
