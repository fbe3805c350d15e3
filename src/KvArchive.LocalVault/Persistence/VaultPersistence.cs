// Longer than the ~350-line guide on purpose: snapshot, journal, group commit, compaction and replay are one durability protocol whose ordering rules (what is fsync'd before an answer, when a journal is switched) must be read together.
using System.Security.Cryptography;
using System.Text.Json;
using KvArchive.LocalVault.Auth;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Persistence;

/// <summary>
/// Keeps every vault and user-assigned identity of a data directory across restarts and crashes: a snapshot
/// (<see cref="SnapshotFile"/>) plus an append-only journal (<see cref="JournalFile"/>). A mutating request's changes
/// are captured as records (<see cref="CommitAsync"/>) and its answer waits until they are flushed to disk, so an
/// answered write survives even SIGKILL. Changes made outside requests (a certificate completing during a poll, a
/// purge coming due) are journaled by a background loop. The journal is compacted into a new snapshot in the
/// background once it outgrows a threshold; at start the snapshot is loaded and the journals replayed, a torn last
/// frame ignored. Everything on disk is AES-GCM encrypted with the key in <c>localvault.key</c>.
/// </summary>
public sealed class VaultPersistence : IAsyncDisposable
{
    /// <summary>Default journal size that starts a compaction (or twice the last snapshot, when larger).</summary>
    public const long DefaultCompactAfterBytes = 32L * 1024 * 1024;

    private const int LoopIntervalMs = 100;
    private static readonly byte[] LegacyMagic = "LVS1"u8.ToArray();

    private readonly string _directory;
    private readonly TextWriter _log;
    private readonly long _compactAfterBytes;
    private readonly StateCipher _cipher;
    private readonly DataDirectoryLock _lock;
    private readonly object _identityGate = new();
    private readonly CancellationTokenSource _stop = new();
    private VaultRegistry? _registry;
    private IdentityRegistry? _identities;
    private JournalWriter? _writer;
    private long _identitiesJournaled;
    private int _compactRequested;
    private Task? _loop;

    public VaultPersistence(string directory, TextWriter log, long compactAfterBytes = DefaultCompactAfterBytes)
    {
        _directory = directory;
        _log = log;
        _compactAfterBytes = compactAfterBytes;
        Directory.CreateDirectory(directory);
        _lock = DataDirectoryLock.Acquire(directory);
        var key = LoadOrCreateKey(Path.Combine(directory, "localvault.key"));
        _cipher = new StateCipher(key[..32]);
        TokenSigningKey = key[32..];
    }

    /// <summary>The token signing key kept with the data, so issued tokens stay valid after a restart.</summary>
    public byte[] TokenSigningKey { get; }

    /// <summary>
    /// Loads the snapshot and replays the journals into the registries (before the server starts), then starts a
    /// fresh journal after a fresh snapshot. Throws <see cref="InvalidDataException"/> when the snapshot cannot be read.
    /// </summary>
    public int LoadInto(VaultRegistry registry, IdentityRegistry identities)
    {
        _registry = registry;
        _identities = identities;
        StateSnapshot? snapshot;
        try
        {
            snapshot = SnapshotFile.Read(_directory, _cipher, out _);
        }
        catch (Exception e) when (e is CryptographicException or JsonException)
        {
            throw new InvalidDataException($"The snapshot in {_directory} cannot be read ({e.Message}); it was not written with this directory's localvault.key.", e);
        }

        var legacyFiles = new List<string>();
        long firstGeneration = 0;
        if (snapshot is not null)
        {
            foreach (var state in snapshot.Vaults)
            {
                registry.Add(state.Restore(registry.BaseUriFor(state.Name)));
            }

            LoadIdentities(snapshot.Identities);
            firstGeneration = snapshot.JournalGeneration;
        }
        else
        {
            legacyFiles.AddRange(LoadLegacy(registry));
        }

        var journals = JournalFile.List(_directory);
        foreach (var (generation, path) in journals)
        {
            if (generation < firstGeneration)
            {
                continue;
            }

            var ignored = JournalFile.Read(path, _cipher, batch =>
            {
                foreach (var record in batch)
                {
                    Apply(record, registry);
                }
            });
            if (ignored > 0)
            {
                _log.WriteLine($"LocalVault: ignored {ignored} bytes at the end of {Path.GetFileName(path)} (a write cut short by a crash, never answered).");
            }
        }

        var next = Math.Max(firstGeneration, journals.Count == 0 ? 1 : journals[^1].Generation + 1);
        if (journals.Count > 0 || legacyFiles.Count > 0)
        {
            // Fold everything into one snapshot, so the journal restarts empty (and a torn tail is gone for good).
            WriteSnapshot(next);
            foreach (var (_, path) in journals)
            {
                File.Delete(path);
            }

            foreach (var path in legacyFiles)
            {
                File.Delete(path);
            }
        }

        _identitiesJournaled = identities.Version;
        foreach (var vault in registry.All)
        {
            vault.EnableChangeTracking();
        }

        registry.TracksChanges = true;
        _writer = new JournalWriter(_directory, _cipher, next, _log)
        {
            CompactAfterBytes = _compactAfterBytes,
            Large = () => Interlocked.Exchange(ref _compactRequested, 1),
            Failed = EnqueueEverything,
        };
        return registry.All.Count();
    }

    /// <summary>Starts the background loop (journaling changes made outside requests, compaction).</summary>
    public void Start() => _loop = Task.Run(LoopAsync);

    /// <summary>
    /// Captures what a mutating request changed and completes when it is on disk: the request answers after that.
    /// Changes another request already captured are waited for too (their record is queued before this point).
    /// </summary>
    public Task CommitAsync(MutationScope scope)
    {
        if (!scope.HasChanges || _writer is null)
        {
            return Task.CompletedTask;
        }

        foreach (var vault in scope.Vaults)
        {
            CaptureAndEnqueue(vault);
        }

        if (scope.Identities)
        {
            CaptureIdentities();
        }

        return _writer.WhenDurable(_writer.LastEnqueued);
    }

    /// <summary>Captures every pending change and completes when all of it is on disk.</summary>
    public Task FlushAsync()
    {
        if (_writer is null || _registry is null)
        {
            return Task.CompletedTask;
        }

        CaptureAllPending();
        return _writer.WhenDurable(_writer.LastEnqueued);
    }

    /// <summary>Journals a removed vault (the registry has marked it removed).</summary>
    public void Remove(Vault vault)
    {
        if (_writer is null)
        {
            return;
        }

        lock (vault.Gate)
        {
            _writer.Enqueue(new JournalRecord { Type = JournalRecordType.VaultRemoved, VaultName = vault.Name });
        }

        MutationScope.Current?.NoteOther();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }

        if (_writer is not null)
        {
            try
            {
                await FlushAsync();

                // A clean stop leaves one snapshot and an empty journal: the next start reads no journal.
                await CompactAsync();
            }
            catch (IOException e)
            {
                _log.WriteLine($"LocalVault: could not save the state at shutdown: {e.Message}");
            }

            _writer.Dispose();
        }

        _lock.Dispose();
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await Task.Delay(LoopIntervalMs, _stop.Token);
            CaptureAllPending();
            if (Interlocked.Exchange(ref _compactRequested, 0) == 1)
            {
                try
                {
                    await CompactAsync();
                }
                catch (IOException e)
                {
                    _log.WriteLine($"LocalVault: compaction failed (the journal goes on): {e.Message}");
                }
            }
        }
    }

    private void CaptureAllPending()
    {
        foreach (var vault in _registry!.All)
        {
            if (vault.HasPendingChanges)
            {
                CaptureAndEnqueue(vault);
            }
        }

        if (_identities!.Version != Interlocked.Read(ref _identitiesJournaled))
        {
            CaptureIdentities();
        }
    }

    /// <summary>
    /// Rotates the journal, then captures a snapshot (every record of the older files was captured before it, so it
    /// covers them), writes it atomically and deletes the older files. Changes made meanwhile are in the new file;
    /// replaying it over the snapshot gives, for each entry, its last record's state.
    /// </summary>
    private async Task CompactAsync()
    {
        var generation = await _writer!.RotateAsync();
        var size = WriteSnapshot(generation);
        foreach (var (g, path) in JournalFile.List(_directory))
        {
            if (g < generation)
            {
                File.Delete(path);
            }
        }

        _writer.CompactAfterBytes = Math.Max(_compactAfterBytes, 2 * size);
    }

    private long WriteSnapshot(long journalGeneration)
    {
        var snapshot = new StateSnapshot { JournalGeneration = journalGeneration };
        foreach (var vault in _registry!.All)
        {
            lock (vault.Gate)
            {
                if (!vault.Removed)
                {
                    snapshot.Vaults.Add(VaultStateFile.CaptureLocked(vault));
                }
            }
        }

        lock (_identityGate)
        {
            snapshot.Identities = CaptureIdentityList();
        }

        return SnapshotFile.Write(_directory, snapshot, _cipher);
    }

    /// <summary>After a failed frame: every vault and the identities are journaled whole again.</summary>
    private void EnqueueEverything()
    {
        foreach (var vault in _registry!.All)
        {
            lock (vault.Gate)
            {
                vault.MarkFull();
                if (VaultChangeCapture.Capture(vault) is { } record)
                {
                    _writer!.Enqueue(record);
                }
            }
        }

        CaptureIdentities();
    }

    private void CaptureAndEnqueue(Vault vault)
    {
        lock (vault.Gate)
        {
            if (VaultChangeCapture.Capture(vault) is { } record)
            {
                _writer!.Enqueue(record);
            }
        }
    }

    private void CaptureIdentities()
    {
        lock (_identityGate)
        {
            var version = _identities!.Version;
            _writer!.Enqueue(new JournalRecord { Type = JournalRecordType.Identities, Identities = CaptureIdentityList() });
            Interlocked.Exchange(ref _identitiesJournaled, version);
        }
    }

    private List<IdentityState> CaptureIdentityList()
        => _identities!.All.Select(p => new IdentityState { ClientId = p.Key, Permissions = p.Value.Names?.ToList() }).ToList();

    private void LoadIdentities(IEnumerable<IdentityState> identities)
        => _identities!.Load(identities.Select(i => KeyValuePair.Create(i.ClientId, PermissionSet.From(i.Permissions))));

    private void Apply(JournalRecord record, VaultRegistry registry)
    {
        switch (record.Type)
        {
            case JournalRecordType.Vault when record.State is { } state:
                var vault = registry.Find(state.Name);
                if (record.Full || vault is null)
                {
                    vault = state.Restore(registry.BaseUriFor(state.Name));
                    registry.Add(vault);
                }
                else
                {
                    state.ApplyHeader(vault);
                }

                VaultChangeCapture.Apply(vault.Secrets, record.Secrets, record.RemovedSecrets, _log);
                VaultChangeCapture.Apply(vault.Keys, record.Keys, record.RemovedKeys, _log);
                VaultChangeCapture.Apply(vault.Certificates, record.Certificates, record.RemovedCertificates, _log);
                break;
            case JournalRecordType.VaultRemoved when record.VaultName is { } name:
                registry.Remove(name);
                break;
            case JournalRecordType.Identities when record.Identities is { } identities:
                LoadIdentities(identities);
                break;
        }
    }

    /// <summary>Vault files of the format before the journal (vaults/*.lvstate): loaded once, then folded into the snapshot.</summary>
    private List<string> LoadLegacy(VaultRegistry registry)
    {
        var files = new List<string>();
        var folder = Path.Combine(_directory, "vaults");
        if (!Directory.Exists(folder))
        {
            return files;
        }

        foreach (var file in Directory.EnumerateFiles(folder, "*.lvstate"))
        {
            try
            {
                var data = File.ReadAllBytes(file);
                if (data.Length < LegacyMagic.Length || !data.AsSpan(0, LegacyMagic.Length).SequenceEqual(LegacyMagic))
                {
                    throw new InvalidDataException("not a LocalVault state file");
                }

                var state = JsonSerializer.Deserialize<VaultStateFile>(_cipher.Open(data.AsSpan(LegacyMagic.Length), LegacyMagic))
                    ?? throw new InvalidDataException("empty state");
                registry.Add(state.Restore(registry.BaseUriFor(state.Name)));
                files.Add(file);
            }
            catch (Exception e) when (e is JsonException or CryptographicException or InvalidDataException or IOException)
            {
                _log.WriteLine($"LocalVault: could not load {file}: {e.Message}");
            }
        }

        return files;
    }

    private static byte[] LoadOrCreateKey(string path)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (File.Exists(path))
            {
                var existing = File.ReadAllBytes(path);
                if (existing.Length == 64)
                {
                    return existing;
                }

                Thread.Sleep(20);
                continue;
            }

            var key = RandomNumberGenerator.GetBytes(64);
            var temp = path + $".{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temp, options))
            {
                stream.Write(key);
                stream.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(temp, path, overwrite: false);
                DirectorySync.Flush(Path.GetDirectoryName(path)!);
                return key;
            }
            catch (IOException)
            {
                File.Delete(temp);
            }
        }

        throw new IOException($"Could not read or create the key file {path}.");
    }
}
