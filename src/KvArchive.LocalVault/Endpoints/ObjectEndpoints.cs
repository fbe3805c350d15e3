// Longer than the ~350-line guide on purpose: the generic handlers that secrets, keys and certificates share (get, list, versions, soft delete, recover, purge, backup, restore); splitting them would repeat the generic constraints in every file.
using System.Text.Json;
using KvArchive.LocalVault.Crypto;
using KvArchive.LocalVault.Http;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Endpoints;

/// <summary>
/// What secrets, keys and certificates answer alike: get a snapshot, list, versions, delete, deleted get/list,
/// purge, recover, backup and restore, all through <see cref="SoftDeleteStateMachine"/> and <see cref="Pager"/>.
/// </summary>
public sealed class ObjectEndpoints<TEntry, TVersion>
    where TEntry : VersionedEntry<TVersion>
    where TVersion : ObjectVersion
{
    public required ObjectKind Kind { get; init; }

    public required Func<Vault, ObjectCollection<TEntry>> Collection { get; init; }

    /// <summary>Writes a bundle (never a secret's value); the flag asks for the deleted header.</summary>
    public required Action<Utf8JsonWriter, Vault, ObjectSnapshot<TVersion>, bool> WriteBundle { get; init; }

    /// <summary>Writes a list item; flags: id with version, deleted header.</summary>
    public required Action<Utf8JsonWriter, Vault, ObjectSnapshot<TVersion>, bool, bool> WriteItem { get; init; }

    /// <summary>How an entry goes into a backup blob and comes back.</summary>
    public required BackupMapping<TEntry> Backup { get; init; }

    /// <summary>Whether a managed entry refuses delete, recover and purge of its own (keys and secrets of certificates).</summary>
    public bool RefuseManaged { get; init; }

    /// <summary>Applies a step to the entries an entry owns (a certificate's key and secret). Under the lock.</summary>
    public Action<Vault, TEntry, LifecycleAction, long, long>? Cascade { get; init; }

    /// <summary>A live entry's version (latest for null), captured under the lock; 404 otherwise.</summary>
    public ObjectSnapshot<TVersion> Snapshot(VaultCall call, string name, string? version)
    {
        ObjectNames.Validate(name);
        version = ObjectNames.ValidateVersion(version);
        var vault = call.Vault;
        lock (vault.Gate)
        {
            var entry = SoftDeleteStateMachine.RequireActive(vault.Resolve(Collection(vault), name, call.NowMs, call.NowSeconds), Kind, name);
            var v = entry.Find(version) ?? throw VaultErrors.NotFound(Kind, name, version);
            return ObjectSnapshot<TVersion>.Of(entry, v);
        }
    }

    /// <summary>
    /// Stores a new version under a name that is free or live (409 while deleted, 403 for a managed entry), starting
    /// the entry with <paramref name="newEntry"/> for a new name; the snapshot of the stored version.
    /// </summary>
    public ObjectSnapshot<TVersion> AddVersion(VaultCall call, string name, TVersion version, string operation, Func<string, TEntry> newEntry)
    {
        var vault = call.Vault;
        lock (vault.Gate)
        {
            var collection = Collection(vault);
            var entry = vault.Resolve(collection, name, call.NowMs, call.NowSeconds);
            SoftDeleteStateMachine.EnsureNameFree(entry, Kind, name);
            if (entry is { IsActive: true })
            {
                GuardManaged(entry, operation);
            }

            if (entry is null)
            {
                entry = newEntry(name);
                collection.Add(entry);
            }

            version = (TVersion)(version with { Sequence = vault.NextSequence() });
            entry.Versions.Add(version);
            vault.MarkDirty();
            return ObjectSnapshot<TVersion>.Of(entry, version);
        }
    }

    /// <summary>
    /// PATCH /{kind}/{name}/{version}: replaces a live version (latest for null) by <paramref name="change"/>'s
    /// result, which may also change the entry (a certificate's policy and owned versions); answers the bundle.
    /// </summary>
    public async Task UpdateAsync(VaultCall call, string name, string? version, Func<TEntry, TVersion, TVersion> change)
    {
        var vault = call.Vault;
        ObjectSnapshot<TVersion> snapshot;
        lock (vault.Gate)
        {
            var entry = SoftDeleteStateMachine.RequireActive(vault.Resolve(Collection(vault), name, call.NowMs, call.NowSeconds), Kind, name, version);
            GuardManaged(entry, "update");
            var current = entry.Find(version) ?? throw VaultErrors.NotFound(Kind, name, version);
            var updated = change(entry, current);
            entry.Replace(updated);
            vault.MarkDirty();
            snapshot = ObjectSnapshot<TVersion>.Of(entry, updated);
        }

        await JsonResponse.SendAsync(call.Http, 200, w => WriteBundle(w, vault, snapshot, false));
    }

    /// <summary>GET /{kind}/{name}/{version}: the bundle of a live entry's version (latest for none).</summary>
    public Task GetAsync(VaultCall call)
    {
        var snapshot = Snapshot(call, call.Name, call.Route.Version);
        return JsonResponse.SendAsync(call.Http, 200, w => WriteBundle(w, call.Vault, snapshot, false));
    }

    /// <summary>GET /{kind}: the live names, latest version each.</summary>
    public Task ListAsync(VaultCall call) => ListNamesAsync(call, deleted: false);

    /// <summary>GET /deleted{kind}.</summary>
    public Task ListDeletedAsync(VaultCall call) => ListNamesAsync(call, deleted: true);

    /// <summary>GET /{kind}/{name}/versions: newest first; an unknown name is an empty list, as the service answers.</summary>
    public async Task ListVersionsAsync(VaultCall call)
    {
        var name = ObjectNames.Validate(call.Name);
        var request = Pager.Parse(call.Http.Request);
        var vault = call.Vault;
        Page<ObjectSnapshot<TVersion>> page;
        lock (vault.Gate)
        {
            var entry = vault.Resolve(Collection(vault), name, call.NowMs, call.NowSeconds);
            if (entry is not { IsActive: true })
            {
                page = new Page<ObjectSnapshot<TVersion>>([], false, null);
            }
            else
            {
                var versions = entry.Versions;
                var count = versions.Count;
                var start = 0;
                if (request.Marker is not null)
                {
                    if (!long.TryParse(request.Marker, out var after))
                    {
                        throw VaultErrors.BadParameter("Invalid $skiptoken for a version list.");
                    }

                    // Newest first: position p is versions[count - 1 - p]; continue with the first older sequence.
                    while (start < count && versions[count - 1 - start].Sequence >= after)
                    {
                        start++;
                    }
                }

                page = Pager.Scan(
                    request,
                    vault.Settings.PageShape,
                    count,
                    start,
                    p => versions[count - 1 - p].Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    p => ObjectSnapshot<TVersion>.Of(entry, versions[count - 1 - p]));
            }
        }

        await WritePageAsync(call, request, page, withVersion: true, deleted: false);
    }

    /// <summary>DELETE /{kind}/{name}: starts the delete, answers the deleted bundle.</summary>
    public async Task DeleteAsync(VaultCall call)
    {
        var name = ObjectNames.Validate(call.Name);
        var vault = call.Vault;
        ObjectSnapshot<TVersion> snapshot;
        lock (vault.Gate)
        {
            var collection = Collection(vault);
            var entry = SoftDeleteStateMachine.RequireActive(vault.Resolve(collection, name, call.NowMs, call.NowSeconds), Kind, name);
            GuardManaged(entry, "delete");
            if (SoftDeleteStateMachine.Delete(entry, vault.Settings, call.NowMs, call.NowSeconds))
            {
                collection.Remove(entry);
            }

            Cascade?.Invoke(vault, entry, LifecycleAction.Delete, call.NowMs, call.NowSeconds);
            vault.MarkDirty();
            snapshot = ObjectSnapshot<TVersion>.Of(entry, entry.Latest!);
        }

        await JsonResponse.SendAsync(call.Http, 200, w => WriteBundle(w, vault, snapshot, true));
    }

    /// <summary>GET /deleted{kind}/{name}.</summary>
    public async Task GetDeletedAsync(VaultCall call)
    {
        var name = ObjectNames.Validate(call.Name);
        var vault = call.Vault;
        ObjectSnapshot<TVersion> snapshot;
        lock (vault.Gate)
        {
            var entry = SoftDeleteStateMachine.RequireDeleted(vault.Resolve(Collection(vault), name, call.NowMs, call.NowSeconds), Kind, name);
            snapshot = ObjectSnapshot<TVersion>.Of(entry, entry.Latest!);
        }

        await JsonResponse.SendAsync(call.Http, 200, w => WriteBundle(w, vault, snapshot, true));
    }

    /// <summary>DELETE /deleted{kind}/{name}: 204 without a body.</summary>
    public Task PurgeAsync(VaultCall call)
    {
        var name = ObjectNames.Validate(call.Name);
        var vault = call.Vault;
        lock (vault.Gate)
        {
            var collection = Collection(vault);
            var entry = vault.Resolve(collection, name, call.NowMs, call.NowSeconds);
            SoftDeleteStateMachine.CheckPurge(entry, vault.Settings, Kind, name);
            GuardManaged(entry!, "purge");
            if (SoftDeleteStateMachine.Purge(entry!, vault.Settings, call.NowMs))
            {
                collection.Remove(entry!);
            }

            Cascade?.Invoke(vault, entry!, LifecycleAction.Purge, call.NowMs, call.NowSeconds);
            vault.MarkDirty();
        }

        call.Http.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    /// <summary>POST /deleted{kind}/{name}/recover: answers the live bundle.</summary>
    public async Task RecoverAsync(VaultCall call)
    {
        var name = ObjectNames.Validate(call.Name);
        var vault = call.Vault;
        ObjectSnapshot<TVersion> snapshot;
        lock (vault.Gate)
        {
            var entry = vault.Resolve(Collection(vault), name, call.NowMs, call.NowSeconds);
            if (entry is not null)
            {
                GuardManaged(entry, "recover");
            }

            SoftDeleteStateMachine.Recover(entry, vault.Settings, Kind, name, call.NowMs);
            Cascade?.Invoke(vault, entry!, LifecycleAction.Recover, call.NowMs, call.NowSeconds);
            vault.MarkDirty();
            snapshot = ObjectSnapshot<TVersion>.Of(entry!, entry!.Latest!) with { DeletedDate = 0 };
        }

        await JsonResponse.SendAsync(call.Http, 200, w => WriteBundle(w, vault, snapshot, false));
    }

    /// <summary>POST /{kind}/{name}/backup: every version in one blob, <c>{"value": blob}</c>.</summary>
    public async Task BackupAsync(VaultCall call)
    {
        var name = ObjectNames.Validate(call.Name);
        var vault = call.Vault;
        BackupPayload payload;
        lock (vault.Gate)
        {
            var entry = SoftDeleteStateMachine.RequireActive(vault.Resolve(Collection(vault), name, call.NowMs, call.NowSeconds), Kind, name);
            GuardManaged(entry, "backup");
            BackupSerializer.CheckVersionLimit(Kind, entry.Name, entry.Versions.Count);
            payload = new BackupPayload { Kind = Kind.Lower, Name = entry.Name };
            Backup.FillPayload(vault, entry, payload);
        }

        var blob = BackupSerializer.ToBlob(payload, Backup.FrameTag, vault.Settings.Geography);
        await JsonResponse.SendAsync(call.Http, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("value", blob);
            w.WriteEndObject();
        });
    }

    /// <summary>POST /{kind}/restore: a blob of this kind back under its name, which must be free; answers the live bundle.</summary>
    public async Task RestoreAsync(VaultCall call)
    {
        string? blob;
        using (var body = await call.ReadBodyAsync())
        {
            blob = JsonInput.String(body.RootElement, "value") ?? throw VaultErrors.BadParameter("Property 'value' is required.");
        }

        var vault = call.Vault;
        var payload = BackupSerializer.FromBlob(blob, Backup.FrameTag, Kind.Lower, vault.Settings.Geography);
        if (!Backup.IsComplete(payload))
        {
            throw VaultErrors.MalformedBackup();
        }

        var name = payload.Name;
        ObjectSnapshot<TVersion> snapshot;
        lock (vault.Gate)
        {
            var collection = Collection(vault);
            var existing = vault.Resolve(collection, name, call.NowMs, call.NowSeconds);
            if (existing is { IsActive: true })
            {
                throw VaultErrors.AlreadyExists(vault, Kind, existing.Name, payload.LatestVersion());
            }

            SoftDeleteStateMachine.EnsureNameFree(existing, Kind, name);
            Backup.FreeOwnedNames?.Invoke(vault, payload, call.NowMs, call.NowSeconds);
            if (existing is not null)
            {
                collection.Remove(existing);
            }

            var entry = Backup.FromPayload(vault, payload);
            collection.Add(entry);
            vault.MarkDirty();
            snapshot = ObjectSnapshot<TVersion>.Of(entry, entry.Latest!);
        }

        await JsonResponse.SendAsync(call.Http, 200, w => WriteBundle(w, vault, snapshot, false));
    }

    /// <summary>Applies a cascaded step to an owned entry of this kind (called by the owner's cascade).</summary>
    public void ApplyOwned(Vault vault, string name, LifecycleAction action, long nowMs, long nowSeconds)
    {
        var collection = Collection(vault);
        var entry = vault.Resolve(collection, name, nowMs, nowSeconds);
        if (entry is null)
        {
            return;
        }

        var settings = vault.Settings;
        switch (action)
        {
            case LifecycleAction.Delete when entry.IsActive:
                if (SoftDeleteStateMachine.Delete(entry, settings, nowMs, nowSeconds))
                {
                    collection.Remove(entry);
                }

                break;
            case LifecycleAction.Recover when entry.State == EntryState.Deleted:
                SoftDeleteStateMachine.Recover(entry, settings, Kind, name, nowMs);
                break;
            case LifecycleAction.Purge when entry.State == EntryState.Deleted:
                if (SoftDeleteStateMachine.Purge(entry, settings with { PurgeProtection = false }, nowMs))
                {
                    collection.Remove(entry);
                }

                break;
        }
    }

    private void GuardManaged(TEntry entry, string operation)
    {
        if (RefuseManaged && entry.Managed)
        {
            throw VaultErrors.ManagedByCertificate(Kind, operation);
        }
    }

    private async Task ListNamesAsync(VaultCall call, bool deleted)
    {
        var request = Pager.Parse(call.Http.Request);
        var vault = call.Vault;
        Page<ObjectSnapshot<TVersion>> page;
        var nowMs = call.NowMs;
        var nowSeconds = call.NowSeconds;
        lock (vault.Gate)
        {
            var collection = Collection(vault);
            page = Pager.Scan(
                request,
                vault.Settings.PageShape,
                collection.Count,
                collection.IndexAfter(request.Marker),
                collection.MarkerAt,
                i =>
                {
                    var entry = collection.At(i);
                    if (entry is CertificateEntry certificate && certificate.PendingIsDue(nowMs))
                    {
                        vault.CommitPending(certificate);
                    }

                    var state = SoftDeleteStateMachine.Effective(entry, nowMs, nowSeconds);
                    var visible = entry.VersionCount > 0 && (deleted ? state == EntryState.Deleted : state == EntryState.Active);
                    return visible ? ObjectSnapshot<TVersion>.Of(entry, entry.Latest!) : null;
                });
        }

        await WritePageAsync(call, request, page, withVersion: false, deleted);
    }

    private Task WritePageAsync(VaultCall call, PageRequest request, Page<ObjectSnapshot<TVersion>> page, bool withVersion, bool deleted)
    {
        var vault = call.Vault;
        using var json = new JsonResponse();
        var w = json.Writer;
        w.WriteStartObject();
        w.WriteStartArray("value");
        foreach (var item in page.Items)
        {
            WriteItem(w, vault, item, withVersion, deleted);
        }

        w.WriteEndArray();
        Pager.WriteNextLink(w, call, request, page);
        w.WriteEndObject();
        return json.SendAsync(call.Http);
    }
}
