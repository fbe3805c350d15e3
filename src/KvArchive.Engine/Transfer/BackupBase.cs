using KvArchive.Engine.Storage;
using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// The base archive of an incremental backup: opened (trailer, manifest and every row checked) and verified in full
/// in the background while the vault is listed — every copy waits for that verification, so nothing is copied from
/// a damaged base (<see cref="WhenVerifiedAsync"/> throws, and the run ends). Asked per listed object whether
/// its entry can be copied (<see cref="Unchanged"/>), and at the end which of its objects the vault no longer lists
/// (<see cref="Deleted"/>). Holds the archive open and one small key per row, not the rows.
/// </summary>
/// <remarks>
/// An entry is copied only when all of these hold: it was saved (not failed, not marked changed during its
/// backup); the listing shows its current version as the entry recorded it (<see cref="ChangeDetection"/>); its
/// last update was over well before its blob was taken (<see cref="Settle"/>: times are whole seconds, so a change
/// in the same second as the one recorded would not move them); and its blob is younger than the age limit.
/// </remarks>
internal sealed class BackupBase : IDisposable
{
    /// <summary>How long before its backup an object's last update must have been for its times to tell a later change.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    private readonly Dictionary<(string Vault, KvObjectType Type, string Name), int> _rows = [];
    private readonly TimeSpan _maxAge;
    private readonly DateTimeOffset _now;
    private readonly CancellationTokenSource _stop;
    private readonly Task _verified;
    private bool _disposed;

    private BackupBase(ArchiveReader reader, TimeSpan maxAge, DateTimeOffset now, bool resumed, CancellationToken cancellationToken)
    {
        Reader = reader;
        IsResumePoint = resumed;
        _maxAge = maxAge;
        _now = now;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = _stop.Token;
        _verified = Task.Run(() => Verify(reader, token), token);
        for (var i = 0; i < reader.Items.Count; i++)
        {
            var item = reader.Items[i];
            if (item.SourceVaultUri is { } vault && !item.Managed && item.Status != ArchiveEntryStatus.Skipped)
            {
                _rows.TryAdd(Key(vault, item.Type, item.Name), i);
            }
        }
    }

    /// <summary>The open base archive.</summary>
    public ArchiveReader Reader { get; }

    /// <summary>The base archive's full path.</summary>
    public string Path => Reader.Path;

    /// <summary>
    /// True for what interrupted runs of the same backup saved (<see cref="PartialArchive.Salvage"/>), not an earlier
    /// archive: it holds part of the vault, so what it lacks was not deleted.
    /// </summary>
    public bool IsResumePoint { get; }

    /// <summary>Opens a base archive (or a resume point, <paramref name="resumed"/>) and starts verifying every byte of it.</summary>
    /// <exception cref="KvException"><see cref="KvErrorIds.BaseArchiveInvalid"/> (truncated, unreadable, or not an
    /// archive), <see cref="KvErrorIds.ArchiveNotFound"/>, <see cref="KvErrorIds.ArchiveVersionUnsupported"/>.</exception>
    public static BackupBase Open(string path, TimeSpan maxAge, DateTimeOffset now, CancellationToken cancellationToken, bool resumed = false, ArchiveStorageOptions? storage = null)
    {
        ArchiveReader reader;
        try
        {
            reader = ArchiveReader.Open(path, storage);
        }
        catch (KvException e) when (e.ErrorId is KvErrorIds.ArchiveInvalid)
        {
            throw Invalid(BlobArchiveAddress.Display(BlobArchiveAddress.FullPath(path)), e.Message, e);
        }

        try
        {
            return new BackupBase(reader, maxAge, now, resumed, cancellationToken);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>Completes when every byte of the base checked out.</summary>
    /// <exception cref="KvException"><see cref="KvErrorIds.BaseArchiveInvalid"/>: the base is damaged; nothing may be copied from it.</exception>
    public Task WhenVerifiedAsync(CancellationToken cancellationToken) => _verified.WaitAsync(cancellationToken);

    private static void Verify(ArchiveReader reader, CancellationToken cancellationToken)
    {
        var verification = reader.Verify(cancellationToken);
        if (verification.Errors.Count > 0)
        {
            var first = verification.Errors[0].Exception;
            throw Invalid(reader.Path, $"{verification.Errors.Count} problem(s), the first: {first.Message}", first);
        }
    }

    /// <summary>The base's entry for a listed object when it can be copied as it is; null when it must be backed up (and why).</summary>
    public ArchiveItem? Unchanged(Uri vault, KvObject listed, out string reason)
    {
        if (!_rows.TryGetValue(Key(vault, listed.Type, listed.Name), out var index))
        {
            reason = IsResumePoint ? "not saved by the interrupted backup" : "not in the base archive";
            return null;
        }

        var item = Reader.Items[index];
        if (item.Status != ArchiveEntryStatus.Saved || !item.HasBlob)
        {
            reason = $"its entry in the {(IsResumePoint ? "interrupted backup" : "base archive")} is {item.Status.ToString().ToLowerInvariant()}";
            return null;
        }

        var changes = ChangeDetection.Differences(item.Row, listed);
        if (changes.Count > 0)
        {
            reason = "changed: " + string.Join(", ", changes);
            return null;
        }

        if (item.BackedUpOn is not { } taken || item.UpdatedOn is not { } updated || updated > taken - Settle)
        {
            reason = "its last update was too close to its backup to tell a later change";
            return null;
        }

        if (_now - taken > _maxAge)
        {
            reason = $"its copy in the {(IsResumePoint ? "interrupted backup" : "base archive")} is older than {_maxAge.TotalDays:0.##} days";
            return null;
        }

        reason = "unchanged";
        return item;
    }

    /// <summary>The base's objects of a vault and kind that the listing did not show (by the seen test).</summary>
    public IEnumerable<ArchiveItem> Deleted(Uri vault, KvObjectType type, Func<string, bool> seen)
    {
        var authority = Authority(vault);
        foreach (var (key, index) in _rows)
        {
            if (key.Vault == authority && key.Type == type && !seen(key.Name))
            {
                yield return Reader.Items[index];
            }
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // The verification reads the file: it stops before the file is closed.
        _stop.Cancel();
        try
        {
            _verified.Wait();
        }
        catch (AggregateException)
        {
            // Its failure was reported where it mattered (a copy, or the commit).
        }

        _stop.Dispose();
        Reader.Dispose();
    }

    private static (string, KvObjectType, string) Key(Uri vault, KvObjectType type, string name) => (Authority(vault), type, name.ToLowerInvariant());

    private static string Authority(Uri vault) => $"{vault.Host.ToLowerInvariant()}:{vault.Port}";

    private static KvException Invalid(string path, string problem, Exception inner)
        => new(KvErrorKind.InvalidData, KvErrorIds.BaseArchiveInvalid, $"The base archive '{path}' cannot be built on: {problem} Nothing was copied or written.", inner);
}
