// Over 350 lines on purpose: the backup session's whole public surface (start, the ways objects are added — queries, listed and piped objects, named requests, the incremental base — and completion) reads best in one place; the per-object algorithm is BackupItem, the counts BackupOutcomes, the manifest mapping ArchiveMapping.
using System.Collections.Concurrent;
using KvArchive.Engine.Storage;
using KvArchive.Engine.Archive;
using KvArchive.Engine.Hosting;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// Backs up objects into one archive, driven by a cmdlet: <c>Start</c> in BeginProcessing, <c>Add</c> in
/// ProcessRecord (an object, a name, or a query that the session lists itself), <see cref="Complete"/> in
/// EndProcessing, <see cref="Dispose"/> always (it deletes the unfinished archive unless Complete succeeded).
/// </summary>
/// <remarks>
/// <para>Every host call (records, errors, warnings, progress, ShouldProcess) happens on the thread that calls
/// Start/Add/Complete. Output is in input order: one <see cref="BackupRecord"/> per object, preceded by its
/// warning or error if it has one. Listings run inside the session, with the same progress, cancellation and
/// pump as the backups.</para>
/// <para>Up to <see cref="BackupOptions.ThrottleLimit"/> objects are backed up at once, at the rate of the
/// session's <see cref="AdaptiveRateLimiter"/>. The archive is written to a temporary file beside
/// <see cref="BackupOptions.Path"/> and moved there only by Complete; a cancelled or failed run deletes the
/// temporary file and leaves an existing archive untouched.</para>
/// <para>Per object (<see cref="BackupItem"/>): its versions are listed (more than 500 fails it alone,
/// <see cref="KvErrorIds.TooManyVersions"/>) and the service's backup is taken. Whether it changed meanwhile is
/// read from a re-listing of the vault that runs behind the backups (<see cref="ListingCheck"/>), else from its
/// versions listed again; a changed object is backed up once more, and saved as <see cref="BackupStatus.Changed"/>
/// with a warning if it changed again. A certificate's managed key and secret are skipped: the certificate's
/// backup carries them.</para>
/// <para>A failure no object can escape (<see cref="KvFailurePolicy.IsFatal"/>) ends the whole backup: Add or
/// Complete throws it and no archive is written. A transient failure (a dropped connection, a timeout, a 5xx after
/// the client's retries) fails its object alone, until the stop rule of <see cref="KvFailurePolicy"/> finds the
/// vault gone (many different objects in a row, and a probe); so does a listing that fails that way.</para>
/// <para>Start calls ShouldProcess(path, action) once; when it returns false (-WhatIf) nothing is written and
/// each object added is reported through WriteVerbose only.</para>
/// </remarks>
public sealed class BackupSession : IDisposable
{
    private static readonly KvObjectType[] AllTypes = [KvObjectType.Certificate, KvObjectType.Key, KvObjectType.Secret];

    private readonly IHostContext _host;
    private readonly BackupOptions _options;
    private readonly SessionCore<BackupWork> _core;
    private readonly ArchiveWriter? _writer;
    private readonly BackupOutcomes? _outcomes;
    private readonly ListingChecks _checks;
    private readonly HashSet<(Uri, KvObjectType, string)> _seen = [];
    private readonly BackupBase? _base;
    private readonly BackupBase? _resume;
    private readonly List<(IVaultClient Client, KvObjectType Type)> _listedFully = [];

    private BackupSession(IHostContext host, BackupOptions options, string path, ArchiveWriter? writer, (BackupBase? Base, BackupBase? Resume) bases, AdaptiveRateLimiter limiter, VaultClients clients, bool ownsClients, TimeProvider time)
    {
        _host = host;
        _base = bases.Base;
        _resume = bases.Resume;
        _options = options;
        Path = path;
        _writer = writer;
        RateLimiter = limiter;
        _checks = new ListingChecks(limiter, time, options.PerObjectChangeCheck);
        BackupItem? item = null;
        if (writer is not null)
        {
            _outcomes = new BackupOutcomes(writer);
        }

        _core = new SessionCore<BackupWork>(
            host,
            options.ThrottleLimit,
            $"Backing up to {System.IO.Path.GetFileName(path)}",
            options.ExpectedCount,
            limiter,
            clients,
            ownsClients,
            time,
            (work, scope, ct) => item!.RunAsync(work, scope, ct),
            Stopped)
        {
            OnAbandon = Abandoned,
            OnDispose = () =>
            {
                _checks.Dispose();
                _writer?.Dispose();
                _base?.Dispose();
                _resume?.Dispose();
            },
        };
        if (_outcomes is not null)
        {
            item = new BackupItem(_core.Calls, _core.Health, time, _outcomes, TransferDefaults.CheckThrottleLimit(options.ThrottleLimit), options.RecordVersions);
        }
    }

    /// <summary>The archive's full path.</summary>
    public string Path { get; }

    /// <summary>True when ShouldProcess declined writing the archive (-WhatIf): the session does nothing.</summary>
    public bool WhatIf => _writer is null;

    /// <summary>The rate control in use (the one of the options, or the session's own).</summary>
    public AdaptiveRateLimiter RateLimiter { get; }

    /// <summary>
    /// Starts a backup: asks ShouldProcess for the archive once, then creates its temporary file (nothing else
    /// prompts or touches a file). The clients are the command's (lent), one client of the caller's
    /// (<see cref="SessionClients.Borrow"/>), or a factory the session uses and disposes. Give
    /// <see cref="BackupOptions.RateLimiter"/> as the observer of clients made before the session.
    /// </summary>
    /// <exception cref="KvException">The archive exists and <see cref="BackupOptions.Force"/> is not set
    /// (<see cref="KvErrorIds.ArchiveExists"/>), or the path cannot be written (<see cref="KvErrorIds.ArchiveWriteFailed"/>).</exception>
    public static BackupSession Start(IHostContext host, BackupOptions options, SessionClients clients)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clients);
        TransferDefaults.CheckThrottleLimit(options.ThrottleLimit);
        var location = BlobArchiveAddress.FullPath(options.Path);
        var path = BlobArchiveAddress.Display(location);
        var proceed = host.ShouldProcess(path, File.Exists(path) ? "Replace the archive with a new backup" : "Write a backup archive");

        // The base is opened now (a truncated or foreign file ends the run here) and verified in full while the
        // vault is listed: nothing is copied from it before that verification, and a damaged base ends the run.
        var backupBase = proceed && options.BaseArchivePath is { } basePath
            ? BackupBase.Open(basePath, options.MaxCopiedAge, TimeProvider.System.GetUtcNow(), host.CancellationToken, storage: options.Storage)
            : null;
        BackupBase? resume = null;
        ArchiveWriter? writer = null;
        try
        {
            // What interrupted runs saved: continued from with -Resume (before the writer removes their files),
            // otherwise named in a warning, as the run starts over and removes them. A blob target does not resume.
            var toBlob = BlobArchiveAddress.IsBlobUrl(location);
            resume = proceed && !toBlob ? Resume(host, path, options) : null;
            writer = proceed ? ArchiveWriter.Create(location, options.Force, TimeProvider.System.GetUtcNow(), keepForResume: !toBlob, storage: options.Storage) : null;
            var (limiter, vaults) = clients.Open(options.RateLimiter);
            return new BackupSession(host, options, path, writer, (backupBase, resume), limiter, vaults, clients.Owned, TimeProvider.System);
        }
        catch
        {
            writer?.Dispose();
            backupBase?.Dispose();
            resume?.Dispose();
            throw;
        }
    }

    /// <summary>Backs up an object (as listed by Get-KvObject; its version is ignored: every version is backed up).</summary>
    /// <exception cref="KvException">The user stopped the command (<see cref="KvErrorIds.Cancelled"/>), or a failure
    /// no object can escape; the run is over.</exception>
    public void Add(KvObject item)
    {
        ArgumentNullException.ThrowIfNull(item);
        _writer?.RecordRequestedObject();
        Enqueue(item.Type, item.Name, item.VaultUri, item, item);
    }

    /// <summary>Backs up an object by type and name.</summary>
    /// <exception cref="KvException">As for <see cref="Add(KvObject)"/>.</exception>
    public void Add(BackupRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _writer?.RecordRequestedObject();
        Enqueue(request.Type, request.Name, request.VaultUri, null, request);
    }

    /// <summary>
    /// Backs up what a query selects in a vault (the default vault when null), listed here on the calling thread
    /// with the session's progress and cancellation. No name: every object of the query's types (certificates,
    /// keys and secrets by default); a kind the identity may not list is one error naming the permission and the
    /// other kinds are backed up; any other failure to list ends the run. A name or pattern: the objects it
    /// matches; a literal name that is not found is an error on that name and the run goes on.
    /// </summary>
    /// <exception cref="KvException">As for <see cref="Add(KvObject)"/>, or the vault could not be listed.</exception>
    public void Add(KvObjectQuery query, Uri? vaultUri = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        _core.ThrowIfDisposed();
        if (WhatIf && query.Name is null)
        {
            return;
        }

        var vault = vaultUri ?? DefaultVault() ?? throw new ArgumentNullException(nameof(vaultUri), "Name the vault to back up.");
        var client = _core.RequireClient(vault);
        if (query.Name is null)
        {
            foreach (var type in query.Types.Distinct())
            {
                try
                {
                    var listed = AddListed(client.ListAsync(type, _core.Token), VaultListing.IsRefusal);
                    _writer?.RecordRequest(client.VaultUri, [type], null, listed);
                    if (!_listedFully.Contains((client, type)))
                    {
                        _listedFully.Add((client, type));
                    }
                }
                catch (KvException e) when (VaultListing.IsRefusal(e) && !_core.Token.IsCancellationRequested)
                {
                    Refused(client, type, e);
                }
            }

            return;
        }

        var refused = new ConcurrentQueue<KvException>();
        var matched = 0;
        try
        {
            matched = AddListed(client.QueryAsync(query, refused.Enqueue, _core.Token), _ => true);
        }
        catch (KvException e) when (KvFailurePolicy.IsPerObject(e, _core.Token) && !KvFailurePolicy.IsTransient(e))
        {
            var type = e.ObjectType ?? query.Types[0];
            _core.Add(new BackupWork(type, query.Name, client.VaultUri, client, null, query.Name, e, false, null) { ReportOnly = true });
        }

        while (refused.TryDequeue(out var e))
        {
            Refused(client, e.ObjectType ?? query.Types[0], e);
        }

        _writer?.RecordRequest(client.VaultUri, query.Types.Distinct(), query.Name, matched);
        if (matched == 0 && _writer is not null && new KvNamePattern(query.Name).HasWildcards)
        {
            // A pattern that matches nothing is not an error of its own, but the archive does not hold what was asked for.
            var kinds = string.Join(", ", query.Types.Distinct().Select(t => t.Word()));
            _writer.RecordProblem(new ArchiveProblemDocument { VaultUri = client.VaultUri, Name = query.Name, ErrorId = KvErrorIds.ObjectNotFound, Reason = $"No {kinds} matched the pattern '{query.Name}'." });
            _host.WriteWarning($"No {kinds} in {client.VaultUri} matched '{query.Name}'; the archive is marked incomplete.");
        }
    }

    /// <summary>A kind the identity may not list: one error naming the permission, in input order; the other kinds go on.</summary>
    private void Refused(IVaultClient client, KvObjectType type, KvException error)
        => _core.Add(new BackupWork(type, ObjectPaths.Collection(type), client.VaultUri, client, null, type, error, false, null) { ReportOnly = true });

    /// <summary>Backs up every object of the given types (all when null) of a vault (the default vault when null).</summary>
    /// <exception cref="KvException">As for <see cref="Add(KvObjectQuery, Uri?)"/>.</exception>
    public void AddVault(Uri? vaultUri = null, IEnumerable<KvObjectType>? types = null)
        => Add(new KvObjectQuery { Types = (types ?? AllTypes).ToArray() }, vaultUri);

    /// <summary>Waits for every object, writes the manifest and moves the archive into place. Returns the counts.</summary>
    /// <exception cref="KvException">Cancelled (<see cref="KvErrorIds.Cancelled"/>), or the archive could not be
    /// written (<see cref="KvErrorIds.ArchiveWriteFailed"/>, <see cref="KvErrorIds.ArchiveExists"/>); nothing is
    /// left at the path and an existing archive is untouched.</exception>
    public BackupSummary Complete()
    {
        _core.ThrowIfDisposed();
        if (!WhatIf)
        {
            AddDeleted();
            _core.Complete(() =>
            {
                _checks.Dispose();

                // A damaged base ends the run even when nothing was copied from it. Closed first, so that the base
                // can be the very path the new archive replaces.
                _base?.WhenVerifiedAsync(_core.Token).GetAwaiter().GetResult();
                _base?.Dispose();
                _resume?.WhenVerifiedAsync(_core.Token).GetAwaiter().GetResult();
                if (_writer!.SavedCount == 0 && !_options.AllowEmpty)
                {
                    // Abandoned, not committed: an existing archive at the path stays as it was.
                    var notSaved = _writer.NotSavedCount;
                    _writer.Dispose();
                    throw new KvException(
                        KvErrorKind.InvalidOperation,
                        KvErrorIds.ArchiveEmpty,
                        $"The backup saved no object ({notSaved} asked for and not saved), so no archive was written at '{Path}'{(File.Exists(Path) ? "; the archive already there was left as it was" : string.Empty)}.");
                }

                _writer.Commit(_core.Time.GetUtcNow());

                // Everything the interrupted runs saved is in the new archive (or was backed up again).
                if (_resume is not null)
                {
                    _resume.Dispose();
                    ArchiveWriter.RemoveStaleTempFiles(Path);
                }
            });
        }

        var counts = _outcomes?.Counts;
        var failed = counts?.Of(BackupStatus.Failed) ?? 0;
        return new BackupSummary
        {
            NotSaved = _writer?.NotSavedCount ?? 0,
            Path = WhatIf ? null : Path,
            Saved = counts?.Of(BackupStatus.Saved) ?? 0,
            Changed = counts?.Of(BackupStatus.Changed) ?? 0,
            Skipped = counts?.Of(BackupStatus.Skipped) ?? 0,
            Failed = failed,
            Copied = counts?.Of(BackupStatus.Copied) ?? 0,
            Resumed = _outcomes?.Resumed ?? 0,
            Deleted = counts?.Of(BackupStatus.Deleted) ?? 0,
            Errors = Math.Max(_core.Host.Errors, failed),

            // Complete: written, and every object asked for is in it (what the manifest records; an error is
            // something asked for and not saved).
            IsComplete = !WhatIf && _writer!.IsComplete && failed == 0 && _core.Host.Errors == 0,
            Counts = counts?.Snapshot() ?? [],
            Duration = _core.Elapsed,
            Requests = RateLimiter.ResponseCount,
            Throttled = RateLimiter.ThrottledCount,
            WhatIf = WhatIf,
        };
    }

    /// <summary>
    /// Records in the manifest something asked for that yields no object and no row, e.g. a kind whose listing the
    /// vault refused: counted as not saved by its error id (refused, not found, failed), so the archive is not
    /// complete. Call on the driving thread; does nothing with -WhatIf.
    /// </summary>
    internal void RecordNotListed(Uri vaultUri, KvObjectType? type, string? name, KvException error)
        => _writer?.RecordProblem(new ArchiveProblemDocument { VaultUri = vaultUri, Kind = type, Name = name, ErrorId = error.ErrorId, Reason = error.Message });

    /// <summary>Stops any work still running; deletes the temporary file unless Complete succeeded.</summary>
    public void Dispose() => _core.Dispose();

    /// <summary>Adds every item of a listing, page by page through the runner; <paramref name="itemFailure"/> as in <see cref="SessionCore{TWork}.Await"/>.</summary>
    /// <returns>How many items the listing gave.</returns>
    private int AddListed(IAsyncEnumerable<KvObject> source, Func<KvException, bool>? itemFailure)
    {
        var listing = source.GetAsyncEnumerator(_core.Token);
        var count = 0;
        try
        {
            while (_core.Await(_ => listing.MoveNextAsync().AsTask(), itemFailure))
            {
                var item = listing.Current;
                count++;
                Enqueue(item.Type, item.Name, item.VaultUri, item, item);
            }

            return count;
        }
        finally
        {
            try
            {
                listing.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is OperationCanceledException or KvException or NotSupportedException)
            {
                // The listing's own failure (or the cancellation) is what the caller sees. Stopped while a page
                // was still being fetched, the listing cannot be disposed yet (NotSupportedException); that
                // fetch ends with the cancellation.
            }
        }
    }

    private void Enqueue(KvObjectType type, string name, Uri? vaultUri, KvObject? listed, object target)
    {
        _core.ThrowIfDisposed();
        if (WhatIf)
        {
            _host.WriteVerbose($"What if: the {type.Word()} '{name}' would be backed up to '{Path}'.");
            return;
        }

        var vault = vaultUri ?? DefaultVault();
        IVaultClient? client = null;
        KvException? error;
        var duplicate = false;
        if (vault is null)
        {
            error = new KvException(KvErrorKind.InvalidArgument, KvErrorIds.InvalidVault, $"No vault was named for the {type.Word()} '{name}'.") { ObjectType = type, ObjectName = name };
        }
        else
        {
            (client, error) = _core.ClientFor(vault);
            duplicate = client is not null && !_seen.Add((client.VaultUri, type, name.ToLowerInvariant()));
        }

        if ((_base ?? _resume) is not null && client is not null && error is null && !duplicate && listed is { Managed: false })
        {
            // Incremental or resumed: an unchanged object's entry is copied from what the interrupted run saved, else
            // from the base; a changed one whose last update was over before the listing read it is backed up with one
            // request (its description from the listing).
            var why = string.Empty;
            var from = _resume;
            var copy = _resume?.Unchanged(client.VaultUri, listed, out why);
            if (copy is null && _base is not null)
            {
                from = _base;
                copy = _base.Unchanged(client.VaultUri, listed, out why);
            }

            var settled = listed.UpdatedOn is { } updated && RateLimiter.LatestServerDate is { } serverNow && updated < serverNow - BackupBase.Settle;
            if (copy is not null || settled)
            {
                if (copy is null)
                {
                    _host.WriteVerbose($"The {type.Word()} '{name}' is backed up: {why}.");
                }

                _core.Add(new BackupWork(type, name, client.VaultUri, client, listed, target, null, false, null) { CopyFrom = copy, Base = copy is null ? _base : from, FromListing = copy is null });
                return;
            }
        }

        var check = client is null || error is not null || duplicate || listed?.Managed == true ? null : _checks.For(client, type, _core.Token);
        check?.Expect();
        _core.Add(new BackupWork(type, name, client?.VaultUri ?? vault, client, listed, target, error, duplicate, check));
    }

    /// <summary>Records the base's objects that a whole listing of their vault and kind no longer showed.</summary>
    private void AddDeleted()
    {
        if (_base is null)
        {
            return;
        }

        foreach (var (client, type) in _listedFully)
        {
            foreach (var gone in _base.Deleted(client.VaultUri, type, name => _seen.Contains((client.VaultUri, type, name))).ToList())
            {
                _core.Add(new BackupWork(type, gone.Name, client.VaultUri, client, null, gone, null, false, null) { DeletedFrom = gone, Base = _base });
            }
        }
    }

    private Uri? DefaultVault() => _options.VaultUri ?? _core.SingleClient?.VaultUri;

    private KvException Stopped(KvException cause)
        => new(KvErrorKind.Cancelled, KvErrorIds.Cancelled, $"The backup was stopped; nothing was written at '{Path}'{(File.Exists(Path) ? " and the archive already there was left as it was" : string.Empty)}.{KeptForResume()}", cause);

    /// <summary>Ends a run that cannot go on: the unfinished archive is deleted, or kept as a resume point (named in a warning unless the user stopped the run).</summary>
    private void Abandoned()
    {
        _writer?.Dispose();
        if (_writer?.KeptPath is not null && !_core.Token.IsCancellationRequested)
        {
            _host.WriteWarning(KeptForResume().TrimStart());
        }
    }

    private string KeptForResume()
        => _writer?.KeptPath is { } kept
            ? $" The {_writer.SavedCount} object(s) saved so far are kept in '{System.IO.Path.GetFileName(kept)}' beside it, for a resumed run of the same backup to continue from without backing them up again."
            : string.Empty;

    /// <summary>
    /// With <see cref="BackupOptions.Resume"/>: one archive of what the interrupted runs of this path saved, opened as
    /// a resume point. Without: a warning when they saved something, since this run starts over and removes it.
    /// </summary>
    private static BackupBase? Resume(IHostContext host, string path, BackupOptions options)
    {
        var now = TimeProvider.System.GetUtcNow();
        if (!options.Resume)
        {
            var saved = PartialArchive.Find(path).Sum(f => PartialArchive.Scan(f, checkBlobs: false).Count);
            if (saved > 0)
            {
                host.WriteWarning($"An interrupted backup of '{path}' had saved {saved} object(s); this run backs up everything again and removes them, where a resumed run would have continued that backup.");
            }

            return null;
        }

        var salvage = PartialArchive.Salvage(path, now, out var count);
        if (salvage is null)
        {
            host.WriteVerbose($"No interrupted backup of '{path}' was found to continue: everything is backed up.");
            return null;
        }

        host.WriteVerbose($"Continuing the interrupted backup of '{path}': the {count} object(s) it saved are kept unless they changed since.");
        return BackupBase.Open(salvage, options.MaxCopiedAge, now, host.CancellationToken, resumed: true);
    }
}
