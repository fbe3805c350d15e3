using System.Diagnostics;
using KvArchive.Engine.Archive;
using KvArchive.Engine.Hosting;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// Backs up objects into one archive, driven by a cmdlet: <see cref="Start(IHostContext, BackupOptions, Func{Uri, IRequestObserver, IVaultClient})"/>
/// in BeginProcessing, <see cref="Add(KvObject)"/> (or <see cref="Add(BackupRequest)"/>) in ProcessRecord for
/// each piped item, <see cref="Complete"/> in EndProcessing, <see cref="Dispose"/> always (it deletes the
/// unfinished archive unless Complete succeeded).
/// </summary>
/// <remarks>
/// <para>Every host call (records, errors, warnings, progress, ShouldProcess) happens on the thread that calls
/// Start/Add/Complete. Output is in input order: one <see cref="BackupRecord"/> per object, preceded by its
/// warning or error if it has one.</para>
/// <para>Up to <see cref="BackupOptions.ThrottleLimit"/> objects are backed up at once, at a request rate that
/// halves on 429s and climbs back (<see cref="AdaptiveRateLimiter"/>). The archive is written to a temporary
/// file beside <see cref="BackupOptions.Path"/> and moved there only by Complete; a cancelled or failed run
/// deletes the temporary file and leaves an existing archive untouched.</para>
/// <para>Per object: its versions are listed (more than 500 fails it alone, <see cref="KvErrorIds.TooManyVersions"/>)
/// and the service's backup is taken — two requests. Whether it changed meanwhile is then read from a re-listing of
/// the vault that runs behind the backups (<see cref="ListingCheck"/>, 25 objects a request): the current version's
/// times must be those recorded. Where a listing cannot tell (the object was updated in the second its versions
/// were listed, by the service's clock; or the listing passed it), its versions are listed again instead. If it
/// changed, it is backed up once more (versions, backup, versions); if it changed again it is saved as
/// <see cref="BackupStatus.Changed"/> with a warning. Its record and archive entry are written once, after the
/// check: a blob waits in memory meanwhile (a few dozen objects at a time). A certificate's managed key and
/// secret are skipped: the certificate's backup carries them.</para>
/// <para>A failure that no object can escape — no valid credential (<see cref="KvErrorKind.Unauthenticated"/>),
/// an unreachable vault (<see cref="KvErrorKind.Connection"/>), no such vault (<see cref="KvErrorIds.InvalidVault"/>) —
/// ends the whole backup: Add or Complete throws it (a terminating error) and no archive is written. A failure
/// to list a vault in <see cref="AddVault"/> does too, rather than writing an archive that silently lacks a kind.</para>
/// <para>Start calls ShouldProcess(path, action) once; when it returns false (-WhatIf) nothing is written and
/// each object added is reported through WriteVerbose only.</para>
/// </remarks>
public sealed class BackupSession : IDisposable
{
    /// <summary>Margin for the service's own clocks (the Date header and the object's times may come from different machines).</summary>
    private static readonly TimeSpan ClockSlack = TimeSpan.FromSeconds(2);

    private readonly IHostContext _host;
    private readonly BackupOptions _options;
    private readonly VaultClientCache? _clients;
    private readonly ArchiveWriter? _writer;
    private readonly TransferRunner<BackupWork>? _runner;
    private readonly VaultCalls _calls;
    private readonly HashSet<(Uri, KvObjectType, string)> _seen = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TimeProvider _time;
    private readonly Dictionary<(Uri, KvObjectType), ListingCheck> _checks = [];
    private readonly SemaphoreSlim _slots;
    private int _saved;
    private int _changed;
    private int _skipped;
    private int _failed;
    private bool _completed;
    private bool _disposed;

    private BackupSession(IHostContext host, BackupOptions options, Func<AdaptiveRateLimiter, VaultClientCache> clients, TimeProvider? time)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        _host = host;
        _options = options;
        _time = time ?? TimeProvider.System;
        var throttleLimit = TransferDefaults.CheckThrottleLimit(options.ThrottleLimit);
        _slots = new SemaphoreSlim(throttleLimit);
        RateLimiter = options.RateLimiter ?? new AdaptiveRateLimiter(AdaptiveRateOptions.KeyVault, _time);
        _calls = new VaultCalls(RateLimiter);
        Path = System.IO.Path.GetFullPath(options.Path);

        var exists = File.Exists(Path);
        if (!host.ShouldProcess(Path, exists ? "Replace the archive with a new backup" : "Write a backup archive"))
        {
            WhatIf = true;
            return;
        }

        _writer = ArchiveWriter.Create(Path, options.Force, _time.GetUtcNow());
        try
        {
            _clients = clients(RateLimiter);
            var progress = new TransferProgress($"Backing up to {System.IO.Path.GetFileName(Path)}", options.ExpectedCount, RateLimiter, _time);
            _runner = new TransferRunner<BackupWork>(host, throttleLimit, progress, BackupOneAsync);
        }
        catch
        {
            _writer.Dispose();
            _clients?.Dispose();
            throw;
        }
    }

    /// <summary>The archive's full path.</summary>
    public string Path { get; }

    /// <summary>True when ShouldProcess declined writing the archive (-WhatIf): the session does nothing.</summary>
    public bool WhatIf { get; }

    /// <summary>The rate control in use (the one of the options, or the session's own).</summary>
    public AdaptiveRateLimiter RateLimiter { get; }

    /// <summary>
    /// Starts a backup from any vaults: <paramref name="clientFactory"/> is called once per vault, on the
    /// calling thread, with the vault URI and the observer to give the client (so the rate adapts to 429s).
    /// Clients it returns that are <see cref="IDisposable"/> are disposed with the session.
    /// </summary>
    /// <exception cref="KvException">The archive exists and <see cref="BackupOptions.Force"/> is not set
    /// (<see cref="KvErrorIds.ArchiveExists"/>), or the path cannot be written (<see cref="KvErrorIds.ArchiveWriteFailed"/>).</exception>
    public static BackupSession Start(IHostContext host, BackupOptions options, Func<Uri, IRequestObserver, IVaultClient> clientFactory)
    {
        ArgumentNullException.ThrowIfNull(clientFactory);
        return new BackupSession(host, options, limiter => new VaultClientCache(clientFactory, limiter), null);
    }

    /// <summary>
    /// Starts a backup of one vault through a client the caller made (and disposes). For the rate to adapt to
    /// 429s, create the client with an <see cref="AdaptiveRateLimiter"/> as its observer and pass the same
    /// instance as <see cref="BackupOptions.RateLimiter"/>.
    /// </summary>
    /// <exception cref="KvException">As for the factory overload.</exception>
    public static BackupSession Start(IHostContext host, BackupOptions options, IVaultClient source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new BackupSession(host, options, limiter => new VaultClientCache(source, limiter), null);
    }

    /// <summary>Backs up an object (as listed by Get-KvObject; its version is ignored: every version is backed up).</summary>
    /// <exception cref="KvException">The user stopped the command (<see cref="KvErrorIds.Cancelled"/>); the run is over.</exception>
    public void Add(KvObject item)
    {
        ArgumentNullException.ThrowIfNull(item);
        Enqueue(item.Type, item.Name, item.VaultUri, item, item);
    }

    /// <summary>Backs up an object by type and name.</summary>
    /// <exception cref="KvException">The user stopped the command (<see cref="KvErrorIds.Cancelled"/>); the run is over.</exception>
    public void Add(BackupRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Enqueue(request.Type, request.Name, request.VaultUri, null, request);
    }

    /// <summary>
    /// Backs up every object of the given types (all when null) of a vault (the default vault when null):
    /// lists them on the calling thread and adds each.
    /// </summary>
    public void AddVault(Uri? vaultUri = null, IEnumerable<KvObjectType>? types = null)
    {
        if (WhatIf)
        {
            return;
        }

        ThrowIfDisposed();
        var vault = vaultUri ?? DefaultVault() ?? throw new ArgumentNullException(nameof(vaultUri), "Name the vault to back up.");
        IVaultClient client;
        try
        {
            client = _clients!.Get(vault);
        }
        catch (KvException)
        {
            Abandon();
            throw;
        }

        foreach (var type in types ?? [KvObjectType.Certificate, KvObjectType.Key, KvObjectType.Secret])
        {
            var listing = client.ListAsync(type, _runner!.Token).GetAsyncEnumerator(_runner.Token);
            try
            {
                while (Guard(() => _runner.Await(_ => listing.MoveNextAsync().AsTask())))
                {
                    Add(listing.Current);
                }
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
    }

    /// <summary>
    /// Waits for every object, writes the manifest and moves the archive into place. Returns the counts.
    /// </summary>
    /// <exception cref="KvException">Cancelled (<see cref="KvErrorIds.Cancelled"/>), or the archive could not be
    /// written (<see cref="KvErrorIds.ArchiveWriteFailed"/>, <see cref="KvErrorIds.ArchiveExists"/>); nothing is
    /// left at the path and an existing archive is untouched.</exception>
    public BackupSummary Complete()
    {
        ThrowIfDisposed();
        if (!WhatIf)
        {
            Guard(() =>
            {
                _runner!.Complete();
                StopChecks();
                _writer!.Commit(_time.GetUtcNow());
            });
            _completed = true;
        }

        return new BackupSummary
        {
            Path = WhatIf ? null : Path,
            Saved = _saved,
            Changed = _changed,
            Skipped = _skipped,
            Failed = _failed,
            Duration = _clock.Elapsed,
        };
    }

    /// <summary>Stops any work still running; deletes the temporary file unless Complete succeeded.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _runner?.Dispose();
        StopChecks();
        _writer?.Dispose();
        _clients?.Dispose();
    }

    private void StopChecks()
    {
        lock (_checks)
        {
            foreach (var check in _checks.Values)
            {
                check.Dispose();
            }

            _checks.Clear();
        }
    }

    private void Enqueue(KvObjectType type, string name, Uri? vaultUri, KvObject? listed, object target)
    {
        ThrowIfDisposed();
        if (WhatIf)
        {
            _host.WriteVerbose($"What if: the {Word(type)} '{name}' would be backed up to '{Path}'.");
            return;
        }

        var vault = vaultUri ?? DefaultVault();
        IVaultClient? client = null;
        KvException? error = null;
        var duplicate = false;
        if (vault is null)
        {
            error = new KvException(KvErrorKind.InvalidArgument, KvErrorIds.InvalidVault, $"No vault was named for the {Word(type)} '{name}'; pass -VaultName or -VaultUri.") { ObjectType = type, ObjectName = name };
        }
        else
        {
            try
            {
                client = _clients!.Get(vault);
                duplicate = !_seen.Add((client.VaultUri, type, name.ToLowerInvariant()));
            }
            catch (KvException e) when (!TransferErrors.IsFatal(e))
            {
                error = e;
            }
            catch (KvException)
            {
                Abandon();
                throw;
            }
        }

        var check = client is null || error is not null || duplicate || listed?.Managed == true ? null : CheckFor(client, type);
        check?.Expect();
        var work = new BackupWork(type, name, client?.VaultUri ?? vault, client, listed, target, error, duplicate, check);
        Guard(() => _runner!.Add(work));
    }

    private Uri? DefaultVault() => _options.VaultUri ?? _clients?.Single?.VaultUri;

    private async Task BackupOneAsync(BackupWork work, ItemScope scope, CancellationToken cancellationToken)
    {
        if (work.Error is not null)
        {
            Fail(work, scope, work.Error, versions: null);
            return;
        }

        if (work.Duplicate)
        {
            Interlocked.Increment(ref _skipped);
            scope.WriteObject(Record(work, BackupStatus.Skipped, "Listed more than once; backed up once."));
            return;
        }

        if (work.Listed?.Managed == true)
        {
            SkipManaged(work, scope);
            return;
        }

        Taken? taken = null;
        var waiting = false;
        try
        {
            taken = await TakeAsync(work, scope, cancellationToken).ConfigureAwait(false);
            if (taken is null)
            {
                return;
            }

            if (taken.Unambiguous && work.Check is { } check)
            {
                // The worker moves on; the item finishes when the listing has seen the object after its backup.
                waiting = true;
                var observed = check.WaitAsync(work.Name, taken.AnsweredAt);
                scope.Defer(FinishLaterAsync(work, scope, taken, observed, cancellationToken));
                return;
            }

            await FinishAsync(work, scope, taken, null, cancellationToken).ConfigureAwait(false);
        }
        catch (KvException e) when (e.ErrorId == KvErrorIds.ManagedObject)
        {
            SkipManaged(work, scope);
        }
        catch (KvException e) when (e.Kind != KvErrorKind.Cancelled && !cancellationToken.IsCancellationRequested && !TransferErrors.IsFatal(e))
        {
            Fail(work, scope, e, taken?.Versions);
        }
        finally
        {
            if (!waiting)
            {
                work.Check?.Forget();
            }
        }
    }

    /// <summary>
    /// Lists the versions and takes the backup. Null when that finished the object (a managed key or secret, or
    /// too many versions).
    /// </summary>
    private async Task<Taken?> TakeAsync(BackupWork work, ItemScope scope, CancellationToken cancellationToken)
    {
        var client = work.Client!;
        var serverClock = RateLimiter.LatestServerDate;
        var versions = await _calls.ListVersionsAsync(client, work.Type, work.Name, ArchiveFormat.MaxVersions, cancellationToken).ConfigureAwait(false);
        if (versions.Exists(v => v.Managed))
        {
            SkipManaged(work, scope);
            return null;
        }

        if (versions.Count > ArchiveFormat.MaxVersions)
        {
            Fail(work, scope, new KvException(
                KvErrorKind.InvalidArgument,
                KvErrorIds.TooManyVersions,
                $"The {Word(work.Type)} '{work.Name}' in vault {work.VaultUri} has more than {ArchiveFormat.MaxVersions} versions; Key Vault backs up at most {ArchiveFormat.MaxVersions}. It was not backed up; the other objects were.")
            { ObjectType = work.Type, ObjectName = work.Name }, versions);
            return null;
        }

        var takenOn = _time.GetUtcNow();
        var blob = await _calls.CallAsync(ct => client.BackupAsync(work.Type, work.Name, ct), cancellationToken).ConfigureAwait(false);

        // A listing compares the current version's times, in whole seconds: a change in the very second the
        // current version was last updated would look the same. Only when that second was over before the
        // versions were listed (by the service's own clock) can a listing tell.
        var current = Current(versions);
        var unambiguous = serverClock is { } clock && current?.UpdatedOn is { } updated && updated < clock - ClockSlack;
        return new Taken(versions, blob, takenOn, _time.GetTimestamp(), unambiguous);
    }

    /// <summary>Finishes an object whose listing check is pending, off the worker; vault calls take a slot.</summary>
    private async Task FinishLaterAsync(BackupWork work, ItemScope scope, Taken taken, Task<KvObject?> observed, CancellationToken cancellationToken)
    {
        var listed = await observed.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (listed is not null && SameAsListed(Current(taken.Versions)!, listed))
        {
            Save(work, scope, taken.Versions, taken.Blob, taken.TakenOn, ArchiveEntryStatus.Saved, null);
            return;
        }

        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FinishAsync(work, scope, taken, listed, cancellationToken).ConfigureAwait(false);
        }
        catch (KvException e) when (e.ErrorId == KvErrorIds.ManagedObject)
        {
            SkipManaged(work, scope);
        }
        catch (KvException e) when (e.Kind != KvErrorKind.Cancelled && !cancellationToken.IsCancellationRequested && !TransferErrors.IsFatal(e))
        {
            Fail(work, scope, e, taken.Versions);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>
    /// Checks that the object did not change during its backup — from a listing item read after the backup, else
    /// by listing its versions again — and saves it. If it changed, backs it up once more; if it changed again,
    /// saves that copy as <see cref="BackupStatus.Changed"/> with a warning.
    /// </summary>
    private async Task FinishAsync(BackupWork work, ItemScope scope, Taken taken, KvObject? listed, CancellationToken cancellationToken)
    {
        var client = work.Client!;
        if (listed is null)
        {
            var after = await _calls.ListVersionsAsync(client, work.Type, work.Name, ArchiveFormat.MaxVersions, cancellationToken).ConfigureAwait(false);
            if (SameVersions(taken.Versions, after))
            {
                Save(work, scope, after, taken.Blob, taken.TakenOn, ArchiveEntryStatus.Saved, null);
                return;
            }
        }

        scope.WriteVerbose($"The {Word(work.Type)} '{work.Name}' changed while it was backed up; backing it up again.");
        var again = await TakeAsync(work, scope, cancellationToken).ConfigureAwait(false);
        if (again is null)
        {
            return;
        }

        var last = await _calls.ListVersionsAsync(client, work.Type, work.Name, ArchiveFormat.MaxVersions, cancellationToken).ConfigureAwait(false);
        if (SameVersions(again.Versions, last))
        {
            Save(work, scope, last, again.Blob, again.TakenOn, ArchiveEntryStatus.Saved, null);
            return;
        }

        var reason = $"The {Word(work.Type)} '{work.Name}' changed while it was backed up, twice; the archive holds the copy taken at {again.TakenOn:u}, which may miss the latest change. Back it up again later.";
        scope.WriteWarning(reason);
        Save(work, scope, again.Versions, again.Blob, again.TakenOn, ArchiveEntryStatus.Changed, reason);
    }

    /// <summary>The listing check of a vault and type (driving thread), or null when the session checks one by one.</summary>
    private ListingCheck? CheckFor(IVaultClient client, KvObjectType type)
    {
        if (_options.PerObjectChangeCheck)
        {
            return null;
        }

        lock (_checks)
        {
            var key = (client.VaultUri, type);
            if (!_checks.TryGetValue(key, out var check))
            {
                check = new ListingCheck(client, type, RateLimiter, _time, _runner!.Token);
                _checks[key] = check;
            }

            return check;
        }
    }

    private void Save(BackupWork work, ItemScope scope, List<KvObject> versions, byte[] blob, DateTimeOffset takenOn, ArchiveEntryStatus status, string? reason)
    {
        var document = Describe(work, versions, status, reason);
        document.BackedUpOn = takenOn;
        var row = _writer!.WriteEntry(document, blob);
        if (status == ArchiveEntryStatus.Changed)
        {
            Interlocked.Increment(ref _changed);
        }
        else
        {
            Interlocked.Increment(ref _saved);
        }

        scope.WriteObject(Record(work, status == ArchiveEntryStatus.Changed ? BackupStatus.Changed : BackupStatus.Saved, reason, versions.Count, row.Size, row.Sha256));
    }

    private void SkipManaged(BackupWork work, ItemScope scope)
    {
        var reason = $"Managed by the certificate '{work.Name}': the certificate's backup carries this {Word(work.Type)}.";
        _writer!.RecordWithoutBlob(Describe(work, null, ArchiveEntryStatus.Skipped, reason, managed: true));
        Interlocked.Increment(ref _skipped);
        scope.WriteObject(Record(work, BackupStatus.Skipped, reason));
    }

    private void Fail(BackupWork work, ItemScope scope, KvException error, List<KvObject>? versions)
    {
        var document = Describe(work, versions is { Count: <= ArchiveFormat.MaxVersions } ? versions : null, ArchiveEntryStatus.Failed, error.Message);
        document.ErrorId = error.ErrorId;
        _writer!.RecordWithoutBlob(document);
        Interlocked.Increment(ref _failed);
        scope.WriteError(new KvError(error, work.Target));
        scope.WriteObject(Record(work, BackupStatus.Failed, error.Message, versions?.Count ?? 0));
    }

    private BackupRecord Record(BackupWork work, BackupStatus status, string? reason, int versions = 0, long size = 0, string? sha256 = null) => new()
    {
        Type = work.Type,
        Name = work.Name,
        Status = status,
        Reason = reason,
        Versions = versions,
        Size = size,
        Sha256 = sha256,
        VaultUri = work.VaultUri,
        ArchivePath = Path,
    };

    private static ArchiveEntryDocument Describe(BackupWork work, List<KvObject>? versions, ArchiveEntryStatus status, string? reason, bool managed = false)
    {
        var current = Current(versions) ?? work.Listed;
        return new ArchiveEntryDocument
        {
            Kind = work.Type,
            Name = current?.Name ?? work.Name,
            VaultUri = work.VaultUri,
            Status = status,
            Reason = reason,
            Version = current?.Version,
            Enabled = current?.Enabled,
            NotBefore = current?.NotBefore,
            ExpiresOn = current?.ExpiresOn,
            CreatedOn = current?.CreatedOn,
            UpdatedOn = current?.UpdatedOn,
            ContentType = current?.ContentType,
            Tags = current is { Tags.Count: > 0 } ? new Dictionary<string, string>(current.Tags, StringComparer.Ordinal) : null,
            Managed = managed || current?.Managed == true,
            KeyType = current?.KeyType,
            CurveName = current?.CurveName,
            Thumbprint = current?.Thumbprint,
            Versions = versions?.Select(v => new ArchiveVersion
            {
                Version = v.Version ?? string.Empty,
                CreatedOn = v.CreatedOn,
                UpdatedOn = v.UpdatedOn,
                Enabled = v.Enabled,
                NotBefore = v.NotBefore,
                ExpiresOn = v.ExpiresOn,
            }).ToList(),
        };
    }

    /// <summary>The current version: the newest created (the service lists newest first, so ties keep list order).</summary>
    private static KvObject? Current(List<KvObject>? versions)
    {
        KvObject? current = null;
        foreach (var v in versions ?? [])
        {
            if (current is null || (v.CreatedOn ?? DateTimeOffset.MinValue) > (current.CreatedOn ?? DateTimeOffset.MinValue))
            {
                current = v;
            }
        }

        return current;
    }

    /// <summary>Same version ids with the same updated times: nothing was added or changed during the backup.</summary>
    private static bool SameVersions(List<KvObject> before, List<KvObject> after)
    {
        if (before.Count != after.Count)
        {
            return false;
        }

        var updated = before.ToDictionary(v => v.Version ?? string.Empty, v => (v.UpdatedOn, v.Enabled, v.ExpiresOn, v.NotBefore), StringComparer.OrdinalIgnoreCase);
        return after.TrueForAll(v => updated.TryGetValue(v.Version ?? string.Empty, out var b) && b == (v.UpdatedOn, v.Enabled, v.ExpiresOn, v.NotBefore));
    }

    /// <summary>
    /// The listing shows the current version as it was recorded: same times, state and validity (and thumbprint,
    /// for certificates). A new version, or any change to the current one, moves its times.
    /// </summary>
    private static bool SameAsListed(KvObject current, KvObject listed)
        => listed.UpdatedOn == current.UpdatedOn
            && listed.CreatedOn == current.CreatedOn
            && listed.Enabled == current.Enabled
            && listed.NotBefore == current.NotBefore
            && listed.ExpiresOn == current.ExpiresOn
            && (listed.Thumbprint is null || current.Thumbprint is null || string.Equals(listed.Thumbprint, current.Thumbprint, StringComparison.OrdinalIgnoreCase));

    private static string Word(KvObjectType type) => type.ToString().ToLowerInvariant();

    private void Guard(Action action) => Guard(() =>
    {
        action();
        return true;
    });

    private T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (KvException e) when (e.Kind == KvErrorKind.Cancelled)
        {
            Abandon();
            throw new KvException(KvErrorKind.Cancelled, KvErrorIds.Cancelled, $"The backup was stopped; nothing was written at '{Path}'{(File.Exists(Path) ? " and the archive already there was left as it was" : string.Empty)}.", e);
        }
        catch
        {
            Abandon();
            throw;
        }
    }

    /// <summary>Ends a run that cannot go on: stops the workers and deletes the temporary file.</summary>
    private void Abandon()
    {
        _runner?.Abort();
        _writer?.Dispose();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed || _completed, this);

    /// <summary>
    /// A backup taken: the versions listed just before it, the blob, when it was taken, when it answered (a
    /// timestamp), and whether a listing can tell a later change from the recorded state.
    /// </summary>
    private sealed record Taken(List<KvObject> Versions, byte[] Blob, DateTimeOffset TakenOn, long AnsweredAt, bool Unambiguous);

    private sealed record BackupWork(KvObjectType Type, string Name, Uri? VaultUri, IVaultClient? Client, KvObject? Listed, object Target, KvException? Error, bool Duplicate, ListingCheck? Check);
}
