using KvArchive.Engine.Archive;
using KvArchive.Engine.Storage;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// The archives a restore reads, each opened and verified once (or its failure remembered), with how many entries of
/// each kind they hold (the restore plans from listings of the target only where that costs less). Closes them together.
/// A file that is no archive but a Key Vault backup file (az CLI, Az PowerShell, the portal) opens as a one-entry
/// archive (<see cref="RawBackupSource"/>), its kind and name from the blob and the file, or from the hints.
/// </summary>
/// <remarks>
/// Restore verifies first: before any entry of an archive is queued, the whole file is checked as
/// <see cref="ArchiveReader.Verify(CancellationToken)"/> checks it (framing, central directory, manifest, trailer and
/// whole-file hash, every entry). A damaged archive restores nothing, unless <paramref name="skipDamaged"/> is set: then
/// the entries that verify are restored and each damaged one fails with its own problem.
/// </remarks>
internal sealed class ArchiveSet(bool skipDamaged = false, CancellationToken cancellationToken = default, Action<string>? warn = null, ArchiveStorageOptions? storage = null) : IDisposable
{
    private readonly Dictionary<string, IArchiveSource> _readers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KvException> _bad = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, KvObjectType, string, long), KvException> _damaged = [];
    private readonly Dictionary<KvObjectType, int> _entries = [];
    private readonly Dictionary<IArchiveSource, Dictionary<(KvObjectType, string), ArchiveItem>> _byName = [];

    /// <summary>The open, verified archive at a full path, or null with the reason it cannot be restored from.</summary>
    /// <param name="path">The file's full path.</param>
    /// <param name="error">Why it cannot be restored from.</param>
    /// <param name="type">For a backup file: its kind, when the caller knows it (a key's blob cannot tell a certificate).</param>
    /// <param name="name">For a backup file: its object's name, when the file's name is not it.</param>
    public IArchiveSource? Open(string path, out KvException? error, KvObjectType? type = null, string? name = null)
    {
        error = null;

        // A blob archive is known by its URL without the SAS (what items and messages show) and opened with the URL as given.
        var location = path;
        path = BlobArchiveAddress.Display(path);
        var key = path;
        if (_readers.TryGetValue(path, out var source))
        {
            // A backup file read with other hints (a key's blob named a certificate) is another entry.
            if (source is not RawBackupSource || Fits(source.Items[0], type, name))
            {
                return source;
            }

            key = $"{path}\n{type}\n{name}";
            if (_readers.TryGetValue(key, out source))
            {
                return source;
            }
        }

        if (_bad.TryGetValue(key, out error))
        {
            return null;
        }

        ArchiveReader reader;
        try
        {
            try
            {
                reader = ArchiveReader.Open(location, storage);
            }
            catch (KvException e) when (e.ErrorId == KvErrorIds.ArchiveInvalid && !BlobArchiveAddress.IsBlobUrl(location) && RawBackupFile.LooksLikeBackup(path))
            {
                // The blob is read whole and its hash kept; there is nothing more to verify in a backup file.
                return Keep(key, new RawBackupSource(RawBackupFile.Read(path, type, name)));
            }
        }
        catch (KvException e)
        {
            _bad[key] = e;
            error = e;
            return null;
        }

        ArchiveVerification check;
        try
        {
            check = reader.Verify(cancellationToken);
        }
        catch (OperationCanceledException e)
        {
            reader.Dispose();
            throw new KvException(KvErrorKind.Cancelled, KvErrorIds.Cancelled, $"The restore was stopped while '{path}' was verified; nothing was restored from it.", e);
        }

        if (!check.IsValid && !skipDamaged)
        {
            reader.Dispose();
            var shown = string.Join(" ", check.Errors.Take(3).Select(p => p.Exception.Message));
            error = new KvException(
                KvErrorKind.InvalidData,
                KvErrorIds.ArchiveVerificationFailed,
                $"The archive '{path}' failed its checks ({check.Errors.Count} problem(s)), so nothing was restored from it. {shown}");
            _bad[path] = error;
            return null;
        }

        if (!check.IsValid)
        {
            var damaged = 0;
            foreach (var problem in check.Errors)
            {
                if (problem.Target is ArchiveItem item)
                {
                    _damaged[Key(item)] = problem.Exception;
                    damaged++;
                }
            }

            warn?.Invoke($"The archive '{path}' failed {check.Errors.Count} check(s): only the entries that verify are restored; {damaged} damaged entr{(damaged == 1 ? "y is" : "ies are")} left and reported.");
        }

        return Keep(path, reader);
    }

    /// <summary>
    /// The entry of an opened archive with this type and name (compared ignoring case), preferring one that holds a
    /// blob; null when there is none. Indexed once per archive, so piping thousands of entries by name stays cheap.
    /// </summary>
    public ArchiveItem? Find(IArchiveSource source, KvObjectType type, string name)
    {
        if (!_byName.TryGetValue(source, out var index))
        {
            index = new Dictionary<(KvObjectType, string), ArchiveItem>(new TypeAndNameComparer());
            foreach (var item in source.Items)
            {
                if (!index.TryGetValue((item.Type, item.Name), out var known) || (!known.HasBlob && item.HasBlob))
                {
                    index[(item.Type, item.Name)] = item;
                }
            }

            _byName[source] = index;
        }

        return index.GetValueOrDefault((type, name));
    }

    /// <summary>True the first time a bad archive's failure is reported; later entries of it are only counted as left.</summary>
    public bool FirstReport(string path) => _reported.Add(path);

    /// <summary>Why an entry of a verified archive must not be restored (it failed verification), or null.</summary>
    public KvException? DamageOf(ArchiveItem item) => _damaged.GetValueOrDefault(Key(item));

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

    private IArchiveSource Keep(string key, IArchiveSource source)
    {
        _readers[key] = source;
        foreach (var item in source.Items)
        {
            _entries[item.Type] = _entries.GetValueOrDefault(item.Type) + 1;
        }

        return source;
    }

    private static bool Fits(ArchiveItem item, KvObjectType? type, string? name)
        => (type is null || item.Type == type) && (name is null || string.Equals(item.Name, name, StringComparison.Ordinal));

    private static (string, KvObjectType, string, long) Key(ArchiveItem item) => (item.Path, item.Type, item.Name, item.Row.HeaderOffset ?? -1);

    private sealed class TypeAndNameComparer : IEqualityComparer<(KvObjectType Type, string Name)>
    {
        public bool Equals((KvObjectType Type, string Name) x, (KvObjectType Type, string Name) y)
            => x.Type == y.Type && string.Equals(x.Name, y.Name, StringComparison.OrdinalIgnoreCase);

        public int GetHashCode((KvObjectType Type, string Name) obj)
            => HashCode.Combine(obj.Type, StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Name));
    }
}
