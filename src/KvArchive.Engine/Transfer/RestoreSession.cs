using KvArchive.Engine.Storage;
using KvArchive.Engine.Archive;
using KvArchive.Engine.Hosting;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// Restores archive entries into a vault, driven by a cmdlet: <c>Start</c> in BeginProcessing,
/// <see cref="Add(ArchiveItem)"/> (or <see cref="Add(string, KvObjectType, string)"/>, <see cref="AddArchive"/>) in
/// ProcessRecord, <see cref="Complete"/> in EndProcessing, <see cref="Dispose"/> always.
/// </summary>
/// <remarks>
/// <para>Each entry is planned first (<see cref="RestorePlanner"/>): what its name is in the target vault (free,
/// exists, soft-deleted, or being deleted/recovered). A few entries read their names one by one; from the 25th
/// entry of a session on, the target's names of the entry's type are read once from two listings (live and
/// deleted, 25 names a request) and every further entry is planned from them (<see cref="TargetNames"/>) — unless
/// the target holds more names than listing would save. A name that changed since is caught by the restore's 409
/// and planned again alone. Then, by plan (<see cref="RestoreItem"/>): <b>free</b> → ShouldProcess(target,
/// "Restore …") and restore; <b>exists</b> → skipped (<see cref="ExistingObjectPolicy.Skip"/>) or an error
/// (<see cref="ExistingObjectPolicy.Fail"/>); <b>soft-deleted</b> → an error (<see cref="SoftDeletedObjectPolicy.Fail"/>)
/// or ShouldProcess(target, "Purge … and restore …"), purge, wait, restore (<see cref="SoftDeletedObjectPolicy.Purge"/>);
/// <b>being deleted/recovered</b> → wait with backoff (at most <see cref="RestoreOptions.StateWaitTimeout"/>) and plan
/// again. When ShouldProcess returns false (-WhatIf) the entry is reported as <see cref="RestoreStatus.Planned"/> with
/// the plan as its reason, and nothing changes.</para>
/// <para>Restore verifies first: an archive is checked as a whole (<see cref="ArchiveSet"/>) before any of its entries
/// is queued, and a damaged archive restores nothing unless <see cref="RestoreOptions.SkipDamagedEntries"/> is set (then
/// the damaged entries fail and the others are restored). A blob is read from the archive only after its SHA-256 checks
/// out, just before it is sent. A blob
/// the vault rejects (another geography, corrupt) fails that entry with the service's reason and is not sent again.</para>
/// <para>A failure that no entry can escape (<see cref="KvFailurePolicy.IsFatal"/>) ends the restore: Add or
/// Complete throws it. Entries already restored stay restored. A transient failure (a dropped connection, a timeout,
/// a 5xx after the client's retries) fails its entry alone, until the stop rule of <see cref="KvFailurePolicy"/>
/// finds the vault gone.</para>
/// <para>Host calls, output order (input order), concurrency, the rate, progress and cancellation work as in
/// <see cref="BackupSession"/>: both run on <see cref="SessionCore{TWork}"/>.</para>
/// </remarks>
public sealed class RestoreSession : IDisposable
{
    /// <summary>Entries (so far in the session) from which the target's names are read by listing.</summary>
    private const int ListingThreshold = 25;

    /// <summary>
    /// Names listed per archived entry of the type before listing costs more than reading each entry's name
    /// (two requests for the entry, against two listings of 25 names a request).
    /// </summary>
    private const int ListingCost = 25;

    private readonly RestoreOptions _options;
    private readonly SessionCore<RestoreWork> _core;
    private readonly RestoreOutcomes _outcomes = new();
    private readonly ArchiveSet _archives;
    private readonly List<string> _paths = [];
    private int _enqueued;

    private RestoreSession(IHostContext host, RestoreOptions options, AdaptiveRateLimiter limiter, VaultClients clients, bool ownsClients, TimeProvider time)
    {
        _options = options;
        RateLimiter = limiter;
        var target = options.TargetVaultUri ?? clients.Single?.VaultUri;
        RestoreItem? item = null;
        _core = new SessionCore<RestoreWork>(
            host,
            options.ThrottleLimit,
            target is null ? "Restoring from archive" : $"Restoring into {target.Host}",
            options.ExpectedCount,
            limiter,
            clients,
            ownsClients,
            time,
            (work, scope, ct) => item!.RunAsync(work, scope, ct),
            Stopped,
            holdErrors: options.PlanOnly)
        {
            OnDispose = () => _archives?.Dispose(),
        };
        item = new RestoreItem(_core.Calls, _core.Health, options, time, _outcomes, _core.Token);
        _archives = new ArchiveSet(options.SkipDamagedEntries, _core.Token, host.WriteWarning, options.Storage);
    }

    /// <summary>The rate control in use (the one of the options, or the session's own).</summary>
    public AdaptiveRateLimiter RateLimiter { get; }

    /// <summary>
    /// Starts a restore (nothing is asked or opened yet). The clients are the command's (lent), one client of the
    /// caller's (<see cref="SessionClients.Borrow"/>), or a factory the session uses and disposes. Give
    /// <see cref="RestoreOptions.RateLimiter"/> as the observer of clients made before the session.
    /// </summary>
    public static RestoreSession Start(IHostContext host, RestoreOptions options, SessionClients clients)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clients);
        var (limiter, vaults) = clients.Open(options.RateLimiter);
        return new RestoreSession(host, options, limiter, vaults, clients.Owned, TimeProvider.System);
    }

    /// <summary>Restores one archive entry (as emitted by Get-KvArchiveItem).</summary>
    /// <exception cref="KvException">The user stopped the command (<see cref="KvErrorIds.Cancelled"/>); the run is over.</exception>
    public void Add(ArchiveItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        _core.ThrowIfDisposed();
        var reader = _archives.Open(item.Path, out var error);
        if (reader is null && _archives.FirstReport(item.Path))
        {
            // The archive's own failure is reported once; its further entries are counted as left.
            throw error!;
        }

        Enqueue(item, reader, error, errorReported: reader is null);
    }

    /// <summary>
    /// Restores the entry of an archive with this type and name (a binding by property name). An entry that is not
    /// there is reported as a failed record.
    /// </summary>
    public void Add(string archivePath, KvObjectType type, string name)
    {
        ArgumentNullException.ThrowIfNull(archivePath);
        ArgumentNullException.ThrowIfNull(name);
        _core.ThrowIfDisposed();
        var location = BlobArchiveAddress.FullPath(archivePath);
        var path = BlobArchiveAddress.Display(location);
        var reader = _archives.Open(location, out var error);
        var item = reader is null ? null : _archives.Find(reader, type, name);
        if (item is null)
        {
            error ??= new KvException(KvErrorKind.NotFound, KvErrorIds.ObjectNotFound, $"The archive '{path}' holds no {type.Word()} named '{name}'.")
            {
                ObjectType = type,
                ObjectName = name,
            };
            Remember(path);
            _core.Add(new RestoreWork(null, type, name, path, null, null, null, error));
            return;
        }

        Enqueue(item, reader, error);
    }

    /// <summary>
    /// Restores every entry of an archive (those <paramref name="filter"/> accepts, when given). A Key Vault backup
    /// file (az CLI, Az PowerShell, the portal: the blob alone) is restored as a one-entry archive: its kind from the
    /// blob's header, or <paramref name="type"/> (a key's and a certificate's blobs look alike); its name from the
    /// file's name, or <paramref name="name"/>.
    /// </summary>
    /// <exception cref="KvException">The file cannot be opened (not found, damaged, newer format, neither an archive
    /// nor a backup file).</exception>
    public void AddArchive(string archivePath, Func<ArchiveItem, bool>? filter = null, KvObjectType? type = null, string? name = null)
    {
        _core.ThrowIfDisposed();
        var location = BlobArchiveAddress.FullPath(archivePath);
        var path = BlobArchiveAddress.Display(location);
        var reader = _archives.Open(location, out var error, type, name);
        if (reader is null)
        {
            _archives.FirstReport(path);
            throw error!;
        }

        Expect(reader.Items.Count);
        foreach (var item in reader.Items)
        {
            if (filter is null || filter(item))
            {
                Enqueue(item, reader, null);
            }
        }
    }

    /// <summary>
    /// Reports an input the caller could not read (an archive that is missing or damaged): an error of the run, so
    /// the run is not complete, written after the plan when planning.
    /// </summary>
    public void ReportError(KvException error, object? target)
    {
        ArgumentNullException.ThrowIfNull(error);
        _core.Host.WriteError(new KvError(error, target));
    }

    /// <summary>
    /// Says how many more entries are coming (e.g. those of an archive that passed a filter), so progress shows
    /// percent and time left from the start; <see cref="AddArchive"/> says it itself.
    /// </summary>
    public void Expect(int count) => _core.Expect(count);

    /// <summary>
    /// Waits for every entry and returns the counts. A plan (<see cref="RestoreOptions.PlanOnly"/>) writes its
    /// errors only now, after every entry's record.
    /// </summary>
    /// <exception cref="KvException">Cancelled (<see cref="KvErrorIds.Cancelled"/>).</exception>
    public RestoreSummary Complete()
    {
        try
        {
            _core.Complete();
        }
        finally
        {
            _core.Host.ReleaseErrors();
        }

        var counts = _outcomes.Counts;
        var failed = counts.Of(RestoreStatus.Failed);
        var planned = counts.Of(RestoreStatus.Planned);
        return new RestoreSummary
        {
            Paths = _paths.ToArray(),
            Restored = counts.Of(RestoreStatus.Restored),
            Skipped = counts.Of(RestoreStatus.Skipped),
            Failed = failed,
            Planned = planned,
            Errors = Math.Max(_core.Host.Errors, failed),
            IsComplete = !_options.PlanOnly && failed == 0 && planned == 0 && _core.Host.Errors == 0,
            Counts = _options.PlanOnly ? _outcomes.Plans.Snapshot() : counts.Snapshot(),
            Duration = _core.Elapsed,
            Requests = RateLimiter.ResponseCount,
            Throttled = RateLimiter.ThrottledCount,
            WhatIf = _options.PlanOnly,
        };
    }

    /// <summary>Stops any work still running and closes the archives (and the clients the session made).</summary>
    public void Dispose() => _core.Dispose();

    private void Remember(string path)
    {
        if (!_paths.Contains(path, StringComparer.Ordinal))
        {
            _paths.Add(path);
        }
    }

    private void Enqueue(ArchiveItem item, IArchiveSource? reader, KvException? error, bool errorReported = false)
    {
        Remember(item.Path);
        var targetUri = _options.TargetVaultUri ?? _core.SingleClient?.VaultUri ?? item.SourceVaultUri;
        IVaultClient? client = null;
        error ??= reader is null ? null : _archives.DamageOf(item);
        if (error is null)
        {
            if (targetUri is null)
            {
                error = new KvException(KvErrorKind.InvalidArgument, KvErrorIds.InvalidVault, $"No target vault for {item}: the archive does not say where it came from, and no vault was named.");
            }
            else
            {
                (client, error) = _core.ClientFor(targetUri);
                targetUri = client?.VaultUri ?? targetUri;
            }
        }

        // A restore of many entries plans from listings of the target (25 names a request); a few entries read
        // their names one by one (two requests each), which costs less than listing a large vault.
        var byListing = ++_enqueued >= ListingThreshold;
        var listingLimit = ListingCost * _archives.EntriesOf(item.Type);
        _core.Add(new RestoreWork(item, item.Type, item.Name, item.Path, reader, client, targetUri, error) { ListingLimit = byListing ? listingLimit : 0, ErrorReported = errorReported });
    }

    private KvException Stopped(KvException cause)
        => new(KvErrorKind.Cancelled, KvErrorIds.Cancelled, $"The restore was stopped after {_outcomes.Counts.Of(RestoreStatus.Restored)} restored entries; they stay restored, and the entries not reported were not restored.", cause);
}
