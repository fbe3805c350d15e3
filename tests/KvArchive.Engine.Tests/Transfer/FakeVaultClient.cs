using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Transfer;

/// <summary>
/// An in-memory vault for the engine's unit tests of concurrency, ordering, policies and cancellation
/// (the round trips against a real server are in the LocalVault integration tests). Blobs are JSON of the
/// object's versions behind a tag, so a restore brings back exactly what was backed up.
/// </summary>
internal sealed class FakeVaultClient : IVaultClient
{
    private const string BlobTag = "FAKE-KV-BLOB:";
    private const int PageSize = 25;
    private readonly ConcurrentDictionary<(KvObjectType, string), List<KvObject>> _live = new();
    private readonly ConcurrentDictionary<(KvObjectType, string), List<KvObject>> _deleted = new();
    private int _inFlight;
    private int _maxInFlight;
    private long _versionCounter;

    public FakeVaultClient(string name = "prod")
    {
        VaultName = name;
        VaultUri = new Uri($"https://{name}.vault.localhost:8443/");
    }

    public Uri VaultUri { get; }

    public string VaultName { get; }

    public IPendingTransitions Pending { get; } = new PendingRemovals();

    /// <summary>Times the fake was disposed (its owner disposes it once).</summary>
    public int Disposed { get; private set; }

    public void Dispose() => Disposed++;

    /// <summary>Added to every call.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Told the service's clock (<see cref="ServerNow"/>) on every call, as the Date header would; null: never.</summary>
    public IRequestObserver? Observer { get; set; }

    /// <summary>The service's clock reported to <see cref="Observer"/>.</summary>
    public Func<DateTimeOffset> ServerNow { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>Called after each backup (e.g. to change the object meanwhile).</summary>
    public Action<KvObjectType, string>? AfterBackup { get; set; }

    /// <summary>Thrown by the backup of a name, when set.</summary>
    public Func<KvObjectType, string, KvException?>? BackupFailure { get; set; }

    /// <summary>Thrown by a restore, when set.</summary>
    public Func<KvObjectType, string, KvException?>? RestoreFailure { get; set; }

    public int MaxConcurrency => _maxInFlight;

    public ConcurrentQueue<string> Log { get; } = new();

    public int Count(string operation) => Log.Count(l => l.StartsWith(operation + " ", StringComparison.Ordinal));

    public KvObject Add(KvObjectType type, string name, int versions = 1, bool managed = false, bool enabled = true, IReadOnlyDictionary<string, string>? tags = null, string? contentType = null)
    {
        var list = new List<KvObject>();
        for (var i = 0; i < versions; i++)
        {
            list.Insert(0, Version(type, name, managed, enabled, tags, contentType, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + i)));
        }

        _live[(type, Key(name))] = list;
        return Listed(list[0]);
    }

    public void AddVersion(KvObjectType type, string name)
    {
        var list = _live[(type, Key(name))];
        lock (list)
        {
            list.Insert(0, Version(type, name, false, true, list[0].Tags, list[0].ContentType, DateTimeOffset.FromUnixTimeSeconds(1_800_000_000 + Interlocked.Increment(ref _versionCounter))));
        }
    }

    public void SoftDelete(KvObjectType type, string name)
    {
        _live.TryRemove((type, Key(name)), out var list);
        _deleted[(type, Key(name))] = list!;
    }

    public bool Exists(KvObjectType type, string name) => _live.ContainsKey((type, Key(name)));

    public IReadOnlyList<KvObject> Versions(KvObjectType type, string name) => _live[(type, Key(name))];

    /// <summary>Pages of 25 in name order, each read when it is fetched (as the service pages with a nextLink).</summary>
    public async IAsyncEnumerable<KvObject> ListAsync(KvObjectType type, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? after = null;
        while (true)
        {
            await Enter("list", type, "*", cancellationToken);
            KvObject[] page;
            try
            {
                page = _live
                    .Where(p => p.Key.Item1 == type && (after is null || string.CompareOrdinal(p.Key.Item2, after) > 0))
                    .OrderBy(p => p.Key.Item2, StringComparer.Ordinal)
                    .Take(PageSize)
                    .Select(p => Listed(Snapshot(p.Value)[0]))
                    .ToArray();
            }
            finally
            {
                Exit();
            }

            foreach (var item in page)
            {
                yield return item;
            }

            if (page.Length < PageSize)
            {
                yield break;
            }

            after = Key(page[^1].Name);
        }
    }

    public async IAsyncEnumerable<KvObject> ListVersionsAsync(KvObjectType type, string name, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Enter("versions", type, name, cancellationToken);
        KvObject[] copy;
        try
        {
            copy = _live.TryGetValue((type, Key(name)), out var list) ? Snapshot(list) : [];
        }
        finally
        {
            Exit();
        }

        foreach (var v in copy)
        {
            yield return v;
        }
    }

    public async IAsyncEnumerable<KvObject> ListDeletedAsync(KvObjectType type, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Enter("listdeleted", type, "*", cancellationToken);
        KvObject[] items;
        try
        {
            items = _deleted.Where(p => p.Key.Item1 == type).OrderBy(p => p.Key.Item2, StringComparer.Ordinal).Select(p => Listed(Snapshot(p.Value)[0])).ToArray();
        }
        finally
        {
            Exit();
        }

        foreach (var item in items)
        {
            yield return item;
        }
    }

    public async Task<KvObject> GetAsync(KvObjectType type, string name, string? version, CancellationToken cancellationToken)
    {
        await Enter("get", type, name, cancellationToken);
        try
        {
            return _live.TryGetValue((type, Key(name)), out var list) ? list[0] : throw NotFound(type, name);
        }
        finally
        {
            Exit();
        }
    }

    public async Task<KvObject> GetDeletedAsync(KvObjectType type, string name, CancellationToken cancellationToken)
    {
        await Enter("getdeleted", type, name, cancellationToken);
        try
        {
            return _deleted.TryGetValue((type, Key(name)), out var list) ? list[0] : throw NotFound(type, name);
        }
        finally
        {
            Exit();
        }
    }

    public Task<KvObject> UpdateAsync(KvObjectType type, string name, string? version, KvPropertyUpdate update, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<KvObject> DeleteAsync(KvObjectType type, string name, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task RecoverAsync(KvObjectType type, string name, CancellationToken cancellationToken) => throw new NotSupportedException();

    public async Task PurgeAsync(KvObjectType type, string name, CancellationToken cancellationToken)
    {
        await Enter("purge", type, name, cancellationToken);
        try
        {
            if (!_deleted.TryRemove((type, Key(name)), out _))
            {
                throw NotFound(type, name);
            }
        }
        finally
        {
            Exit();
        }
    }

    public async Task<byte[]> BackupAsync(KvObjectType type, string name, CancellationToken cancellationToken)
    {
        await Enter("backup", type, name, cancellationToken);
        try
        {
            if (BackupFailure?.Invoke(type, name) is { } failure)
            {
                throw failure;
            }

            if (!_live.TryGetValue((type, Key(name)), out var list))
            {
                throw NotFound(type, name);
            }

            if (list[0].Managed)
            {
                throw new KvException(KvErrorKind.PermissionDenied, KvErrorIds.ManagedObject, $"Backup of {name} is not allowed on this {type}, since it is associated with a certificate.");
            }

            var blob = Encoding.UTF8.GetBytes(BlobTag + JsonSerializer.Serialize(Snapshot(list).Select(v => new BlobVersion(v.Type, v.Name, v.Version!, v.Enabled, v.CreatedOn, v.UpdatedOn, v.ContentType, v.Tags.ToDictionary())).ToList()));
            AfterBackup?.Invoke(type, name);
            return blob;
        }
        finally
        {
            Exit();
        }
    }

    public async Task<KvObject> RestoreAsync(KvObjectType type, ReadOnlyMemory<byte> blob, CancellationToken cancellationToken)
    {
        await Enter("restore", type, "blob", cancellationToken);
        try
        {
            var text = Encoding.UTF8.GetString(blob.Span);
            if (!text.StartsWith(BlobTag, StringComparison.Ordinal))
            {
                throw new KvException(KvErrorKind.InvalidArgument, KvErrorIds.BackupRejected, "Backup blob is corrupt.") { Status = 400 };
            }

            var versions = JsonSerializer.Deserialize<List<BlobVersion>>(text[BlobTag.Length..])!;
            var name = versions[0].Name;
            if (RestoreFailure?.Invoke(type, name) is { } failure)
            {
                throw failure;
            }

            if (_live.ContainsKey((type, Key(name))))
            {
                throw new KvException(KvErrorKind.Conflict, KvErrorIds.ObjectExists, $"{name} already exists") { Status = 409 };
            }

            if (_deleted.ContainsKey((type, Key(name))))
            {
                throw new KvException(KvErrorKind.Conflict, KvErrorIds.ObjectSoftDeleted, $"{name} is deleted but recoverable") { Status = 409 };
            }

            var list = versions.Select(v => new KvObject
            {
                Type = v.Type,
                VaultName = VaultName,
                VaultUri = VaultUri,
                Name = v.Name,
                Version = v.Version,
                Id = new Uri(VaultUri, $"{Folder(v.Type)}/{v.Name}/{v.Version}"),
                Enabled = v.Enabled,
                CreatedOn = v.CreatedOn,
                UpdatedOn = v.UpdatedOn,
                ContentType = v.ContentType,
                Tags = v.Tags,
            }).ToList();
            _live[(type, Key(name))] = list;
            Log.Enqueue($"restored {type} {name}");
            return list[0];
        }
        finally
        {
            Exit();
        }
    }

    public Task<KvObject> SetSecretAsync(string name, string value, KvSecretSetOptions options, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<KvSecretValue> GetSecretAsync(string name, string? version, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<KvObject> CreateKeyAsync(string name, KvKeyCreateOptions options, CancellationToken cancellationToken) => throw new NotSupportedException();

    private async Task Enter(string operation, KvObjectType type, string name, CancellationToken cancellationToken)
    {
        Log.Enqueue($"{operation} {type} {name}");
        Observer?.OnServerDate(ServerNow());
        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while ((seen = _maxInFlight) < now && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
        {
        }

        try
        {
            if (Latency > TimeSpan.Zero)
            {
                await Task.Delay(Latency, cancellationToken);
            }
            else
            {
                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        catch
        {
            Exit();
            throw;
        }
    }

    private void Exit() => Interlocked.Decrement(ref _inFlight);

    private static KvObject[] Snapshot(List<KvObject> list)
    {
        lock (list)
        {
            return [.. list];
        }
    }

    private KvObject Version(KvObjectType type, string name, bool managed, bool enabled, IReadOnlyDictionary<string, string>? tags, string? contentType, DateTimeOffset created)
    {
        var version = Guid.NewGuid().ToString("N");
        return new KvObject
        {
            Type = type,
            VaultName = VaultName,
            VaultUri = VaultUri,
            Name = name,
            Version = version,
            Id = new Uri(VaultUri, $"{Folder(type)}/{name}/{version}"),
            Enabled = enabled,
            CreatedOn = created,
            UpdatedOn = created,
            Managed = managed,
            Tags = tags ?? new Dictionary<string, string>(),
            ContentType = contentType,
        };
    }

    private KvObject Listed(KvObject latest) => new()
    {
        Type = latest.Type,
        VaultName = latest.VaultName,
        VaultUri = latest.VaultUri,
        Name = latest.Name,
        Id = new Uri(VaultUri, $"{Folder(latest.Type)}/{latest.Name}"),
        Enabled = latest.Enabled,
        CreatedOn = latest.CreatedOn,
        UpdatedOn = latest.UpdatedOn,
        Managed = latest.Managed,
        Tags = latest.Tags,
        ContentType = latest.ContentType,
    };

    private static string Key(string name) => name.ToLowerInvariant();

    private static string Folder(KvObjectType type) => type switch
    {
        KvObjectType.Secret => "secrets",
        KvObjectType.Key => "keys",
        _ => "certificates",
    };

    private static KvException NotFound(KvObjectType type, string name)
        => new(KvErrorKind.NotFound, KvErrorIds.ObjectNotFound, $"{type} '{name}' was not found.") { Status = 404, ObjectType = type, ObjectName = name };

    private sealed record BlobVersion(KvObjectType Type, string Name, string Version, bool? Enabled, DateTimeOffset? CreatedOn, DateTimeOffset? UpdatedOn, string? ContentType, Dictionary<string, string> Tags);
}
