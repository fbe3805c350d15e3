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
/// <para>Per object: its versions are listed (more than 500 fails it alone, <see cref="KvErrorIds.TooManyVersions"/>),
/// the service's backup is taken, and the versions are listed again. If anything changed meanwhile it is
/// backed up once more; if it changed again it is saved as <see cref="BackupStatus.Changed"/> with a warning.
/// A certificate's managed key and secret are skipped: the certificate's backup carries them.</para>
/// <para>A failure that no object can escape — no valid credential (<see cref="KvErrorKind.Unauthenticated"/>),
/// an unreachable vault (<see cref="KvErrorKind.Connection"/>), no such vault (<see cref="KvErrorIds.InvalidVault"/>) —
/// ends the whole backup: Add or Complete throws it (a terminating error) and no archive is written. A failure
/// to list a vault in <see cref="AddVault"/> does too, rather than writing an archive that silently lacks a kind.</para>
/// <para>Start calls ShouldProcess(path, action) once; when it returns false (-WhatIf) nothing is written and
/// each object added is reported through WriteVerbose only.</para>
/// </remarks>
public sealed class BackupSession : IDisposable
{
    private readonly IHostContext _host;
    private readonly BackupOptions _options;
    private readonly VaultClientCache? _clients;
    private readonly ArchiveWriter? _writer;
    private readonly TransferRunner<BackupWork>? _runner;
    private readonly VaultCalls _calls;
    private readonly HashSet<(Uri, KvObjectType, string)> _seen = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TimeProvider _time;
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
        RateLimiter = options.RateLimiter ?? new AdaptiveRateLimiter(time: _time);
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
                catch (Exception e) when (e is OperationCanceledException or KvException)
                {
                    // The listing's own failure (or the cancellation) is what the caller sees.
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
        _writer?.Dispose();
        _clients?.Dispose();
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

        var work = new BackupWork(type, name, client?.VaultUri ?? vault, client, listed, target, error, duplicate);
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

        var client = work.Client!;
        List<KvObject>? before = null;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                before = await _calls.ListVersionsAsync(client, work.Type, work.Name, ArchiveFormat.MaxVersions, cancellationToken).ConfigureAwait(false);
                if (before.Exists(v => v.Managed))
                {
                    SkipManaged(work, scope);
                    return;
                }

                if (before.Count > ArchiveFormat.MaxVersions)
                {
                    Fail(work, scope, new KvException(
                        KvErrorKind.InvalidArgument,
                        KvErrorIds.TooManyVersions,
                        $"The {Word(work.Type)} '{work.Name}' in vault {work.VaultUri} has more than {ArchiveFormat.MaxVersions} versions; Key Vault backs up at most {ArchiveFormat.MaxVersions}. It was not backed up; the other objects were.")
                    { ObjectType = work.Type, ObjectName = work.Name }, before);
                    return;
                }

                var takenOn = _time.GetUtcNow();
                var blob = await _calls.CallAsync(ct => client.BackupAsync(work.Type, work.Name, ct), cancellationToken).ConfigureAwait(false);
                var after = await _calls.ListVersionsAsync(client, work.Type, work.Name, ArchiveFormat.MaxVersions, cancellationToken).ConfigureAwait(false);
                if (SameVersions(before, after))
                {
                    Save(work, scope, after, blob, takenOn, ArchiveEntryStatus.Saved, null);
                    return;
                }

                if (attempt == 1)
                {
                    scope.WriteVerbose($"The {Word(work.Type)} '{work.Name}' changed while it was backed up; backing it up again.");
                    continue;
                }

                var reason = $"The {Word(work.Type)} '{work.Name}' changed while it was backed up, twice; the archive holds the copy taken at {takenOn:u}, which may miss the latest change. Back it up again later.";
                scope.WriteWarning(reason);
                Save(work, scope, before, blob, takenOn, ArchiveEntryStatus.Changed, reason);
                return;
            }
        }
        catch (KvException e) when (e.ErrorId == KvErrorIds.ManagedObject)
        {
            SkipManaged(work, scope);
        }
        catch (KvException e) when (e.Kind != KvErrorKind.Cancelled && !cancellationToken.IsCancellationRequested && !TransferErrors.IsFatal(e))
        {
            Fail(work, scope, e, before);
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

    private sealed record BackupWork(KvObjectType Type, string Name, Uri? VaultUri, IVaultClient? Client, KvObject? Listed, object Target, KvException? Error, bool Duplicate);
}
