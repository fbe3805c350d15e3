using System.Diagnostics;
using KvArchive.Engine.Archive;
using KvArchive.Engine.Hosting;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// Restores archive entries into a vault, driven by a cmdlet: <see cref="Start(IHostContext, RestoreOptions, Func{Uri, IRequestObserver, IVaultClient})"/>
/// in BeginProcessing, <see cref="Add(ArchiveItem)"/> (or <see cref="Add(string, KvObjectType, string)"/>,
/// <see cref="AddArchive"/>) in ProcessRecord, <see cref="Complete"/> in EndProcessing, <see cref="Dispose"/> always.
/// </summary>
/// <remarks>
/// <para>Each entry is planned first: what its name is in the target vault (free, exists, soft-deleted, or
/// being deleted/recovered). A few entries read their names one by one; from the 25th entry of a session on, the
/// target's names of the entry's type are read once from two listings (live and deleted, 25 names a request) and
/// every further entry is planned from them (<see cref="TargetNames"/>) — unless the target holds more names than
/// listing would save. A name that changed since is caught by the restore's 409 and planned again alone. Then, by plan: <b>free</b> → ShouldProcess(target, "Restore …") and restore;
/// <b>exists</b> → skipped (<see cref="ExistingObjectPolicy.Skip"/>) or an error
/// (<see cref="ExistingObjectPolicy.Fail"/>); <b>soft-deleted</b> → an error (<see cref="SoftDeletedObjectPolicy.Fail"/>)
/// or ShouldProcess(target, "Purge … and restore …"), purge, wait, restore (<see cref="SoftDeletedObjectPolicy.Purge"/>);
/// <b>being deleted/recovered</b> → wait with backoff (at most <see cref="RestoreOptions.StateWaitTimeout"/>) and plan again.
/// When ShouldProcess returns false (-WhatIf) the entry is reported as <see cref="RestoreStatus.Planned"/> with the
/// plan as its reason, and nothing changes. The ShouldProcess target names the object, the vault and the plan.</para>
/// <para>A blob is read from the archive only after its SHA-256 checks out; a damaged entry fails alone. A blob
/// the vault rejects (another geography, corrupt) fails that entry with the service's reason and is not sent again.</para>
/// <para>A failure that no entry can escape (no valid credential, an unreachable or unknown vault) ends the
/// restore: Add or Complete throws it. Entries already restored stay restored.</para>
/// <para>Host calls, output order (input order), concurrency, the adaptive rate, progress and cancellation work
/// as in <see cref="BackupSession"/>.</para>
/// </remarks>
public sealed class RestoreSession : IDisposable
{
    private static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(5);

    /// <summary>Entries (so far in the session) from which the target's names are read by listing.</summary>
    private const int ListingThreshold = 25;

    /// <summary>
    /// Names listed per archived entry of the type before listing costs more than reading each entry's name
    /// (two requests for the entry, against two listings of 25 names a request).
    /// </summary>
    private const int ListingCost = 25;

    private readonly RestoreOptions _options;
    private readonly VaultClientCache _clients;
    private readonly TransferRunner<RestoreWork> _runner;
    private readonly VaultCalls _calls;
    private readonly Dictionary<string, ArchiveReader> _readers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KvException> _badArchives = new(StringComparer.Ordinal);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TimeProvider _time;
    private int _restored;
    private int _skipped;
    private int _failed;
    private int _planned;
    private int _enqueued;
    private readonly Dictionary<KvObjectType, int> _archivedCounts = [];
    private readonly Dictionary<(Uri, KvObjectType), Task<TargetNames?>> _targetNames = [];
    private bool _completed;
    private bool _disposed;

    private RestoreSession(IHostContext host, RestoreOptions options, Func<AdaptiveRateLimiter, VaultClientCache> clients, TimeProvider? time)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time ?? TimeProvider.System;
        var throttleLimit = TransferDefaults.CheckThrottleLimit(options.ThrottleLimit);
        RateLimiter = options.RateLimiter ?? new AdaptiveRateLimiter(AdaptiveRateOptions.KeyVault, _time);
        _calls = new VaultCalls(RateLimiter);
        _clients = clients(RateLimiter);
        var target = options.TargetVaultUri ?? _clients.Single?.VaultUri;
        var activity = target is null ? "Restoring from archive" : $"Restoring into {target.Host}";
        _runner = new TransferRunner<RestoreWork>(host, throttleLimit, new TransferProgress(activity, options.ExpectedCount, RateLimiter, _time), RestoreOneAsync);
    }

    /// <summary>The rate control in use (the one of the options, or the session's own).</summary>
    public AdaptiveRateLimiter RateLimiter { get; }

    /// <summary>
    /// Starts a restore into any vaults: <paramref name="clientFactory"/> is called once per vault, on the
    /// calling thread, with the vault URI and the observer to give the client. Clients it returns that are
    /// <see cref="IDisposable"/> are disposed with the session.
    /// </summary>
    public static RestoreSession Start(IHostContext host, RestoreOptions options, Func<Uri, IRequestObserver, IVaultClient> clientFactory)
    {
        ArgumentNullException.ThrowIfNull(clientFactory);
        return new RestoreSession(host, options, limiter => new VaultClientCache(clientFactory, limiter), null);
    }

    /// <summary>
    /// Starts a restore into the vault of <paramref name="target"/>, a client the caller made (and disposes).
    /// For the rate to adapt to 429s, create it with an <see cref="AdaptiveRateLimiter"/> as its observer and
    /// pass the same instance as <see cref="RestoreOptions.RateLimiter"/>.
    /// </summary>
    public static RestoreSession Start(IHostContext host, RestoreOptions options, IVaultClient target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new RestoreSession(host, options, limiter => new VaultClientCache(target, limiter), null);
    }

    /// <summary>Restores one archive entry (as emitted by Get-KvArchiveItem).</summary>
    /// <exception cref="KvException">The user stopped the command (<see cref="KvErrorIds.Cancelled"/>); the run is over.</exception>
    public void Add(ArchiveItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        ThrowIfDisposed();
        var reader = Reader(item.Path, out var error);
        Enqueue(item, reader, error);
    }

    /// <summary>
    /// Restores the entry of an archive with this type and name (the binding of <c>-Path -Type -Name</c> by
    /// property name). An entry that is not there is reported as a failed record.
    /// </summary>
    public void Add(string archivePath, KvObjectType type, string name)
    {
        ArgumentNullException.ThrowIfNull(archivePath);
        ArgumentNullException.ThrowIfNull(name);
        ThrowIfDisposed();
        var path = Path.GetFullPath(archivePath);
        var reader = Reader(path, out var error);
        var item = reader?.Items.FirstOrDefault(i => i.Type == type && string.Equals(i.Name, name, StringComparison.OrdinalIgnoreCase) && i.HasBlob)
            ?? reader?.Items.FirstOrDefault(i => i.Type == type && string.Equals(i.Name, name, StringComparison.OrdinalIgnoreCase));
        if (item is null)
        {
            error ??= new KvException(KvErrorKind.NotFound, KvErrorIds.ObjectNotFound, $"The archive '{path}' holds no {Word(type)} named '{name}'. List its entries with Get-KvArchiveItem.")
            {
                ObjectType = type,
                ObjectName = name,
            };
            Guard(() => _runner.Add(new RestoreWork(null, type, name, path, null, null, null, error)));
            return;
        }

        Enqueue(item, reader, error);
    }

    /// <summary>Restores every entry of an archive.</summary>
    /// <exception cref="KvException">The archive cannot be opened (not found, damaged, newer format).</exception>
    public void AddArchive(string archivePath)
    {
        ThrowIfDisposed();
        var reader = Reader(Path.GetFullPath(archivePath), out var error);
        if (reader is null)
        {
            throw error!;
        }

        foreach (var item in reader.Items)
        {
            Enqueue(item, reader, null);
        }
    }

    /// <summary>Waits for every entry and returns the counts.</summary>
    /// <exception cref="KvException">Cancelled (<see cref="KvErrorIds.Cancelled"/>).</exception>
    public RestoreSummary Complete()
    {
        ThrowIfDisposed();
        Guard(_runner.Complete);
        _completed = true;
        return new RestoreSummary
        {
            Restored = _restored,
            Skipped = _skipped,
            Failed = _failed,
            Planned = _planned,
            Duration = _clock.Elapsed,
        };
    }

    /// <summary>Stops any work still running and closes the archives and the clients the session opened.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _runner.Dispose();
        foreach (var reader in _readers.Values)
        {
            reader.Dispose();
        }

        _clients.Dispose();
    }

    private ArchiveReader? Reader(string path, out KvException? error)
    {
        error = null;
        if (_readers.TryGetValue(path, out var reader))
        {
            return reader;
        }

        if (_badArchives.TryGetValue(path, out error))
        {
            return null;
        }

        try
        {
            reader = ArchiveReader.Open(path);
            _readers[path] = reader;
            foreach (var item in reader.Items)
            {
                _archivedCounts[item.Type] = _archivedCounts.GetValueOrDefault(item.Type) + 1;
            }

            return reader;
        }
        catch (KvException e)
        {
            _badArchives[path] = e;
            error = e;
            return null;
        }
    }

    private void Enqueue(ArchiveItem item, ArchiveReader? reader, KvException? error)
    {
        var targetUri = _options.TargetVaultUri ?? _clients.Single?.VaultUri ?? item.SourceVaultUri;
        IVaultClient? client = null;
        if (error is null)
        {
            if (targetUri is null)
            {
                error = new KvException(KvErrorKind.InvalidArgument, KvErrorIds.InvalidVault, $"No target vault for {item}: the archive does not say where it came from; pass -VaultName or -VaultUri.");
            }
            else
            {
                try
                {
                    client = _clients.Get(targetUri);
                    targetUri = client.VaultUri;
                }
                catch (KvException e) when (!TransferErrors.IsFatal(e))
                {
                    error = e;
                }
                catch (KvException)
                {
                    _runner.Abort();
                    throw;
                }
            }
        }

        // A restore of many entries plans from listings of the target (25 names a request); a few entries read
        // their names one by one (two requests each), which costs less than listing a large vault.
        var byListing = ++_enqueued >= ListingThreshold;
        var listingLimit = ListingCost * _archivedCounts.GetValueOrDefault(item.Type);
        Guard(() => _runner.Add(new RestoreWork(item, item.Type, item.Name, item.Path, reader, client, targetUri, error) { ListingLimit = byListing ? listingLimit : 0 }));
    }

    private async Task RestoreOneAsync(RestoreWork work, ItemScope scope, CancellationToken cancellationToken)
    {
        if (work.Error is not null)
        {
            Fail(work, scope, work.Error);
            return;
        }

        var item = work.Item!;
        if (!item.HasBlob)
        {
            Skip(work, scope, $"The archive holds no backup of the {Word(item.Type)} '{item.Name}' ({item.Status.ToString().ToLowerInvariant()} at backup: {item.Reason ?? "no reason recorded"}).");
            return;
        }

        try
        {
            var blob = work.Reader!.ReadBlob(item);
            await RestoreBlobAsync(work, scope, blob, cancellationToken).ConfigureAwait(false);
        }
        catch (KvException e) when (e.Kind != KvErrorKind.Cancelled && !cancellationToken.IsCancellationRequested && !TransferErrors.IsFatal(e))
        {
            Fail(work, scope, e);
        }
    }

    private async Task RestoreBlobAsync(RestoreWork work, ItemScope scope, byte[] blob, CancellationToken cancellationToken)
    {
        var client = work.Client!;
        var word = Word(work.Type);
        var waiting = new Waiting(_options, _time);
        var approved = false;
        var purgeApproved = false;
        var replans = 0;
        var names = await TargetNamesAsync(work).ConfigureAwait(false);
        while (true)
        {
            // The listing plans the first round; after a wait or a conflict the name is read again, alone.
            var state = names?.StateOf(work.Name)
                ?? await _calls.CallAsync(ct => client.GetNameStateAsync(work.Type, work.Name, ct), cancellationToken).ConfigureAwait(false);
            names = null;
            work.State = state;
            switch (state)
            {
                case KvNameState.Exists when _options.ExistingPolicy == ExistingObjectPolicy.Skip:
                    Skip(work, scope, $"The {word} '{work.Name}' already exists in {work.TargetVaultUri}; it was left as it is (-ExistingPolicy Fail reports this as an error).");
                    return;

                case KvNameState.Exists:
                    Fail(work, scope, new KvException(KvErrorKind.Conflict, KvErrorIds.ObjectExists, $"The {word} '{work.Name}' already exists in {work.TargetVaultUri}, so the archived copy was not restored. Remove or rename it, or restore into another vault.")
                    {
                        ObjectType = work.Type,
                        ObjectName = work.Name,
                    });
                    return;

                case KvNameState.SoftDeleted when _options.SoftDeletedPolicy == SoftDeletedObjectPolicy.Fail && !purgeApproved:
                    Fail(work, scope, new KvException(KvErrorKind.Conflict, KvErrorIds.ObjectSoftDeleted, $"The {word} '{work.Name}' is soft-deleted in {work.TargetVaultUri}, so the archived copy was not restored. Recover it (Undo-KvObjectRemoval), or pass -SoftDeletedPolicy Purge to purge it and restore the archived copy.")
                    {
                        ObjectType = work.Type,
                        ObjectName = work.Name,
                    });
                    return;

                case KvNameState.SoftDeleted:
                    if (!purgeApproved)
                    {
                        var action = $"Purge the soft-deleted {word} (for good), then restore it from the archive";
                        var target = Target(work, "soft-deleted: purge, then restore");
                        if (!await scope.ShouldProcessAsync(target, action, cancellationToken).ConfigureAwait(false))
                        {
                            Plan(work, scope, $"{action}: {target}");
                            return;
                        }

                        purgeApproved = approved = true;
                    }

                    try
                    {
                        scope.WriteVerbose($"Purging the soft-deleted {word} '{work.Name}' in {work.TargetVaultUri}.");
                        await _calls.CallAsync(ct => client.PurgeAsync(work.Type, work.Name, ct), cancellationToken).ConfigureAwait(false);
                    }
                    catch (KvException e) when (e.Kind is KvErrorKind.NotFound or KvErrorKind.Conflict)
                    {
                        // Purged meanwhile, or the purge is under way: plan again after a pause.
                    }

                    await waiting.PauseAsync(work, cancellationToken).ConfigureAwait(false);
                    continue;

                case KvNameState.BeingDeleted:
                case KvNameState.BeingRecovered:
                    await waiting.PauseAsync(work, cancellationToken).ConfigureAwait(false);
                    continue;
            }

            // Free.
            if (!approved)
            {
                var action = $"Restore the {word} from the archive";
                var target = Target(work, "name is free: restore");
                if (!await scope.ShouldProcessAsync(target, action, cancellationToken).ConfigureAwait(false))
                {
                    Plan(work, scope, $"{action}: {target}");
                    return;
                }

                approved = true;
            }

            try
            {
                await _calls.CallAsync(ct => client.RestoreAsync(work.Type, blob, ct), cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _restored);
                scope.WriteObject(Record(work, RestoreStatus.Restored, null));
                return;
            }
            catch (KvException e) when (e.ErrorId is KvErrorIds.ObjectBeingDeleted or KvErrorIds.ObjectBeingRecovered
                || (e.ErrorId == KvErrorIds.ObjectSoftDeleted && purgeApproved))
            {
                await waiting.PauseAsync(work, cancellationToken).ConfigureAwait(false);
            }
            catch (KvException e) when (e.ErrorId is KvErrorIds.ObjectExists or KvErrorIds.ObjectSoftDeleted && replans++ < 2)
            {
                // Someone took the name since the plan: plan again, so the policy decides.
            }
        }
    }

    /// <summary>The listed names of the entry's type in its target (read once per session), or null to read the name alone.</summary>
    private Task<TargetNames?> TargetNamesAsync(RestoreWork work)
    {
        if (work.ListingLimit <= 0)
        {
            return Task.FromResult<TargetNames?>(null);
        }

        lock (_targetNames)
        {
            var key = (work.TargetVaultUri!, work.Type);
            if (!_targetNames.TryGetValue(key, out var names))
            {
                names = TargetNames.ReadAsync(work.Client!, work.Type, _calls, work.ListingLimit, _runner.Token);
                _targetNames[key] = names;
            }

            return names;
        }
    }

    private void Skip(RestoreWork work, ItemScope scope, string reason)
    {
        Interlocked.Increment(ref _skipped);
        scope.WriteObject(Record(work, RestoreStatus.Skipped, reason));
    }

    private void Plan(RestoreWork work, ItemScope scope, string plan)
    {
        Interlocked.Increment(ref _planned);
        scope.WriteObject(Record(work, RestoreStatus.Planned, plan));
    }

    private void Fail(RestoreWork work, ItemScope scope, KvException error)
    {
        Interlocked.Increment(ref _failed);
        scope.WriteError(new KvError(error, (object?)work.Item ?? $"{Word(work.Type)} {work.Name}"));
        scope.WriteObject(Record(work, RestoreStatus.Failed, error.Message));
    }

    private static RestoreRecord Record(RestoreWork work, RestoreStatus status, string? reason) => new()
    {
        Type = work.Type,
        Name = work.Name,
        Status = status,
        Reason = reason,
        TargetVaultUri = work.TargetVaultUri,
        TargetState = work.State,
        Versions = work.Item?.Versions.Count ?? 0,
        ArchivePath = work.ArchivePath,
    };

    private static string Target(RestoreWork work, string plan) => $"{Word(work.Type)} '{work.Name}' in {work.TargetVaultUri} ({plan})";

    private static string Word(KvObjectType type) => type.ToString().ToLowerInvariant();

    private void Guard(Action action)
    {
        try
        {
            action();
        }
        catch (KvException e) when (e.Kind == KvErrorKind.Cancelled)
        {
            _runner.Abort();
            throw new KvException(KvErrorKind.Cancelled, KvErrorIds.Cancelled, $"The restore was stopped after {_restored} restored entries; they stay restored, and the entries not reported were not restored.", e);
        }
        catch
        {
            _runner.Abort();
            throw;
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed || _completed, this);

    private sealed record RestoreWork(ArchiveItem? Item, KvObjectType Type, string Name, string ArchivePath, ArchiveReader? Reader, IVaultClient? Client, Uri? TargetVaultUri, KvException? Error)
    {
        /// <summary>Plan from listings of the target when it holds at most this many names of the type; 0: read the name alone.</summary>
        public int ListingLimit { get; init; }

        /// <summary>What the name was in the target when last planned (one worker at a time).</summary>
        public KvNameState? State { get; set; }
    }

    /// <summary>Bounded backoff while a name's state settles.</summary>
    private sealed class Waiting(RestoreOptions options, TimeProvider time)
    {
        private readonly long _started = time.GetTimestamp();
        private TimeSpan _delay = options.StateWaitInitialDelay;

        public async Task PauseAsync(RestoreWork work, CancellationToken cancellationToken)
        {
            if (time.GetElapsedTime(_started) + _delay > options.StateWaitTimeout)
            {
                throw new KvException(KvErrorKind.Conflict, KvErrorIds.ObjectBeingDeleted, $"The name of the {Word(work.Type)} '{work.Name}' in {work.TargetVaultUri} was still being deleted, purged or recovered after {options.StateWaitTimeout.TotalSeconds:0} seconds, so the archived copy was not restored. Run the restore of it again later.")
                {
                    ObjectType = work.Type,
                    ObjectName = work.Name,
                };
            }

            await Task.Delay(_delay, time, cancellationToken).ConfigureAwait(false);
            _delay = TimeSpan.FromTicks(Math.Min(_delay.Ticks * 2, MaxPause.Ticks));
        }
    }
}
