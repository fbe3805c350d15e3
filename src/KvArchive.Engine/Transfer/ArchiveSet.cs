using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// The archives a restore reads, each opened and verified once (or its failure remembered), with how many entries of
/// each kind they hold (the restore plans from listings of the target only where that costs less). Closes them together.
/// </summary>
/// <remarks>
/// Restore verifies first: before any entry of an archive is queued, the whole file is checked as
/// <see cref="ArchiveReader.Verify(CancellationToken)"/> checks it (framing, central directory, manifest, trailer and
/// whole-file hash, every entry). A damaged archive restores nothing, unless <paramref name="skipDamaged"/> is set: then
/// the entries that verify are restored and each damaged one fails with its own problem.
/// </remarks>
internal sealed class ArchiveSet(bool skipDamaged = false, CancellationToken cancellationToken = default, Action<string>? warn = null) : IDisposable
{
    private readonly Dictionary<string, ArchiveReader> _readers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KvException> _bad = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, KvObjectType, string, long), KvException> _damaged = [];
    private readonly Dictionary<KvObjectType, int> _entries = [];

    /// <summary>The open, verified archive at a full path, or null with the reason it cannot be restored from.</summary>
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
        }
        catch (KvException e)
        {
            _bad[path] = e;
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

        _readers[path] = reader;
        foreach (var item in reader.Items)
        {
            _entries[item.Type] = _entries.GetValueOrDefault(item.Type) + 1;
        }

        return reader;
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

    private static (string, KvObjectType, string, long) Key(ArchiveItem item) => (item.Path, item.Type, item.Name, item.Row.HeaderOffset ?? -1);
}
