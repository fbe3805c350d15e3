// Longer than the ~350-line guide on purpose: the whole /certificates surface (create with its pending operation, import, merge, policy, delete/recover/purge, backup/restore) keeps the managed key and secret of each certificate in step, and that bookkeeping reads best in one place.
using System.Text.Json;
using KvArchive.LocalVault.Crypto;
using KvArchive.LocalVault.Http;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Endpoints;

/// <summary>
/// /certificates and /deletedcertificates. Each certificate owns a managed key and a managed secret of the same
/// name and version ids; they follow it through delete, recover, purge, backup and restore.
/// </summary>
public sealed class CertificateEndpoints
{
    private readonly SecretEndpoints _secrets;
    private readonly KeyEndpoints _keys;

    public CertificateEndpoints(SecretEndpoints secrets, KeyEndpoints keys)
    {
        _secrets = secrets;
        _keys = keys;
        Common = new ObjectEndpoints<CertificateEntry, CertificateVersion>
        {
            Kind = ObjectKind.Certificate,
            Collection = v => v.Certificates,
            WriteBundle = CertificateJson.WriteBundle,
            WriteItem = CertificateJson.WriteItem,
            Cascade = CascadeToOwned,
            Backup = new BackupMapping<CertificateEntry>
            {
                FrameTag = BackupBlobCodec.KeyTag,
                FillPayload = FillPayload,
                IsComplete = payload => payload.Certificates is { Count: > 0 } && payload.PolicyJson is not null,
                FreeOwnedNames = FreeOwnedNames,
                FromPayload = FromPayload,
            },
        };
    }

    public ObjectEndpoints<CertificateEntry, CertificateVersion> Common { get; }

    public Task HandleAsync(VaultCall call) => call.Route.Operation switch
    {
        VaultOperation.CertificateList => Common.ListAsync(call),
        VaultOperation.CertificateGet => Common.GetAsync(call),
        VaultOperation.CertificateCreate => CreateAsync(call),
        VaultOperation.CertificateImport => ImportAsync(call),
        VaultOperation.CertificateUpdate => UpdateAsync(call),
        VaultOperation.CertificateDelete => Common.DeleteAsync(call),
        VaultOperation.CertificateVersions => Common.ListVersionsAsync(call),
        VaultOperation.CertificateBackup => Common.BackupAsync(call),
        VaultOperation.CertificateRestore => Common.RestoreAsync(call),
        VaultOperation.CertificatePendingGet => GetPendingAsync(call),
        VaultOperation.CertificatePendingUpdate => CancelPendingAsync(call),
        VaultOperation.CertificatePendingDelete => DeletePendingAsync(call),
        VaultOperation.CertificatePolicyGet => GetPolicyAsync(call),
        VaultOperation.CertificatePolicyUpdate => UpdatePolicyAsync(call),
        VaultOperation.CertificateContactsGet or VaultOperation.CertificateContactsSet or VaultOperation.CertificateContactsDelete => ContactsAsync(call),
        VaultOperation.CertificateIssuerList or VaultOperation.CertificateIssuerGet or VaultOperation.CertificateIssuerSet or VaultOperation.CertificateIssuerDelete => IssuerEndpoints.HandleAsync(call),
        VaultOperation.CertificatePendingMerge => MergeAsync(call),
        VaultOperation.DeletedCertificateList => Common.ListDeletedAsync(call),
        VaultOperation.DeletedCertificateGet => Common.GetDeletedAsync(call),
        VaultOperation.DeletedCertificatePurge => Common.PurgeAsync(call),
        VaultOperation.DeletedCertificateRecover => Common.RecoverAsync(call),
        _ => throw new InvalidOperationException("Not a certificate operation."),
    };

    private async Task CreateAsync(VaultCall call)
    {
        var name = ObjectNames.Validate(call.Name);
        var vault = call.Vault;
        using var body = await call.TryReadBodyAsync();
        var root = body?.RootElement;
        var policyElement = root is { } r ? JsonInput.Object(r, "policy") : null;
        var attributes = root is { } r2 ? AttributesInput.Read(r2) : default;
        var tags = root is { } r3 ? JsonInput.Tags(r3) : null;

        string? existingPolicy;
        KeyMaterial? existingKey;
        lock (vault.Gate)
        {
            var existing = vault.Resolve(vault.Certificates, name, call.NowMs, call.NowSeconds);
            existingPolicy = existing is { IsActive: true } ? existing.PolicyJson : null;
            existingKey = existing is { IsActive: true } ? vault.Keys.Find(name)?.Latest?.Material : null;
        }

        if (policyElement is null && existingPolicy is null)
        {
            throw VaultErrors.BadParameter("A certificate policy is required to create a new certificate.");
        }

        var basis = existingPolicy is null ? new CertificatePolicyModel() : CertificatePolicyModel.Parse(existingPolicy);
        var policy = policyElement is { } given ? CertificatePolicyModel.Read(given, basis, call.NowSeconds) : basis with { Updated = call.NowSeconds };
        if (existingPolicy is null && policyElement is { } p && !p.TryGetProperty("lifetime_actions", out _)
            && string.Equals(policy.IssuerName, "Unknown", StringComparison.OrdinalIgnoreCase))
        {
            // A new policy for an Unknown issuer defaults to e-mailing the contacts, not to renewing (recorded).
            policy = policy with { LifetimeActionsJson = CertificatePolicyModel.EmailContactsLifetimeActions };
        }

        var issued = CertificateFactory.CreateSelfSigned(policy, DateTimeOffset.FromUnixTimeSeconds(call.NowSeconds), policy.ReuseKey ? existingKey : null);
        var selfSigned = string.Equals(policy.IssuerName, "Self", StringComparison.OrdinalIgnoreCase);
        var operation = new PendingCertificateOperation
        {
            RequestId = ObjectNames.NewVersion(),
            Csr = issued.Csr!,
            IssuerName = policy.IssuerName,
            CompletesAtMs = call.NowMs + vault.Settings.CertificateDelayMs,
        };
        var enabled = attributes.Enabled ?? policy.Enabled;
        if (selfSigned)
        {
            (operation.Certificate, operation.Key, operation.Secret) = CertificateBuilder.Build(issued, policy, call.NowSeconds, enabled, tags);
        }
        else
        {
            // Kept for a merge: the signed certificate an outside CA returns pairs with this key.
            operation.Key = new KeyVersion
            {
                Version = ObjectNames.NewVersion(),
                Material = issued.Key,
                KeyOps = issued.Key.IsRsa ? KeyFactory.RsaOperations : KeyFactory.EcOperations,
                Exportable = policy.Exportable,
                Enabled = enabled,
                Tags = tags,
            };
        }

        issued.Certificate.Dispose();
        var placeholder = CertificateVersion.Placeholder(call.NowSeconds, policy.ValidityMonths, tags);
        CertificateJson.OperationSnapshot snapshot;
        lock (vault.Gate)
        {
            var entry = PrepareName(call, name);
            entry.PolicyJson = policy.ToJson();
            entry.Pending = operation;

            // The service shows the new version at once: disabled, with the policy and the pending reference.
            entry.RemovePlaceholders();
            entry.Versions.Add(placeholder with { Sequence = vault.NextSequence() });
            vault.MarkDirty();
            snapshot = CertificateJson.OperationSnapshot.Of(operation);
        }

        call.Http.Response.Headers.Location = $"{vault.BaseUri}/certificates/{name}/pending?api-version={call.ApiVersion}&request_id={operation.RequestId}";
        call.Http.Response.Headers.RetryAfter = CertificateJson.PendingRetryAfterSeconds;
        await JsonResponse.SendAsync(call.Http, 202, w => CertificateJson.WriteOperation(w, vault, name, snapshot));
    }

    private async Task ImportAsync(VaultCall call)
    {
        var name = ObjectNames.Validate(call.Name);
        var vault = call.Vault;
        using var body = await call.ReadBodyAsync();
        var root = body.RootElement;
        var value = JsonInput.String(root, "value") ?? throw VaultErrors.BadParameter("Property 'value' (the PFX as base64, or PEM) is required.");
        var issued = CertificateFactory.Import(value, JsonInput.String(root, "pwd"));
        var policyElement = JsonInput.Object(root, "policy");
        var contentType = policyElement is { } p && JsonInput.Object(p, "secret_props") is { } sp && JsonInput.String(sp, "contentType") is { } ct
            ? ct
            : value.TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal) ? CertificatePolicyModel.Pem : CertificatePolicyModel.Pkcs12;
        var basis = ImportedPolicy.From(issued, contentType, call.NowSeconds);
        var policy = policyElement is { } given ? CertificatePolicyModel.Read(given, basis, call.NowSeconds) : basis;
        var attributes = AttributesInput.Read(root);
        var (certificate, key, secret) = CertificateBuilder.Build(issued, policy, call.NowSeconds, attributes.Enabled ?? true, JsonInput.Tags(root));
        issued.Certificate.Dispose();

        ObjectSnapshot<CertificateVersion> snapshot;
        lock (vault.Gate)
        {
            var entry = PrepareName(call, name);
            entry.PolicyJson = policy.ToJson();
            AddVersions(vault, entry, certificate, key, secret);
            vault.MarkDirty();
            snapshot = ObjectSnapshot<CertificateVersion>.Of(entry, entry.Latest!);
        }

        await JsonResponse.SendAsync(call.Http, 200, w => CertificateJson.WriteBundle(w, vault, snapshot, false));
    }

    private async Task UpdateAsync(VaultCall call)
    {
        var name = ObjectNames.Validate(call.Name);
        var versionId = ObjectNames.ValidateVersion(call.Route.Version);
        var vault = call.Vault;
        using var body = await call.ReadBodyAsync();
        var root = body.RootElement;
        var attributes = AttributesInput.Read(root);
        var tags = JsonInput.Tags(root);
        var policyElement = JsonInput.Object(root, "policy");
        await Common.UpdateAsync(call, name, versionId, (entry, current) =>
        {
            var policy = policyElement is { } p ? CertificatePolicyModel.Read(p, CertificatePolicyModel.Parse(entry.PolicyJson), call.NowSeconds).ToJson() : null;
            var enabled = attributes.Enabled ?? current.Enabled;
            var newTags = tags ?? current.Tags;
            var updated = current with { Enabled = enabled, Tags = newTags, Updated = call.NowSeconds };
            UpdateOwned(vault.Keys.Find(name), updated.Version, v => v with { Enabled = enabled, Tags = newTags, Updated = call.NowSeconds });
            UpdateOwned(vault.Secrets.Find(name), updated.Version, v => v with { Enabled = enabled, Tags = newTags, Updated = call.NowSeconds });
            if (policy is not null)
            {
                entry.PolicyJson = policy;
            }

            return updated;
        });
    }

    private Task GetPendingAsync(VaultCall call) => AnswerPendingAsync(call, ObjectNames.Validate(call.Name));

    private async Task CancelPendingAsync(VaultCall call)
    {
        var name = ObjectNames.Validate(call.Name);
        bool cancel;
        using (var body = await call.ReadBodyAsync())
        {
            cancel = JsonInput.Bool(body.RootElement, "cancellation_requested") ?? throw VaultErrors.BadParameter("Property 'cancellation_requested' is required.");
        }

        await AnswerPendingAsync(call, name, (_, op) =>
        {
            if (cancel && op.Status == "inProgress" && !op.CancellationRequested)
            {
                op.RequestCancellation();
                call.Vault.MarkDirty();
            }
        });
    }

    /// <summary>
    /// Deletes the operation, not the certificate: the version the create made stays, disabled and without cer, and
    /// loses its "pending" (recorded: GET of the certificate answers 200 after the operation's delete, the operation 404).
    /// </summary>
    private Task DeletePendingAsync(VaultCall call) => AnswerPendingAsync(call, ObjectNames.Validate(call.Name), (entry, _) =>
    {
        entry.Pending = null;
        call.Vault.MarkDirty();
    });

    /// <summary>Answers a live certificate's pending operation (the CertificateOperation), after an optional change under the lock.</summary>
    private static Task AnswerPendingAsync(VaultCall call, string name, Action<CertificateEntry, PendingCertificateOperation>? change = null)
    {
        var vault = call.Vault;
        CertificateJson.OperationSnapshot snapshot;
        lock (vault.Gate)
        {
            var entry = vault.Resolve(vault.Certificates, name, call.NowMs, call.NowSeconds);
            var op = RequirePending(entry, name);
            change?.Invoke(entry!, op);
            snapshot = CertificateJson.OperationSnapshot.Of(op);
        }

        if (call.Route.Operation == VaultOperation.CertificatePendingGet && snapshot.Status == "inProgress")
        {
            call.Http.Response.Headers.RetryAfter = CertificateJson.PendingRetryAfterSeconds;
        }

        return JsonResponse.SendAsync(call.Http, 200, w => CertificateJson.WriteOperation(w, vault, name, snapshot));
    }

    private Task GetPolicyAsync(VaultCall call)
    {
        var name = ObjectNames.Validate(call.Name);
        var vault = call.Vault;
        string policy;
        string stored;
        lock (vault.Gate)
        {
            var entry = RequireWithPolicy(vault.Resolve(vault.Certificates, name, call.NowMs, call.NowSeconds), name);
            policy = entry.PolicyJson;
            stored = entry.Name;
        }

        return JsonResponse.SendAsync(call.Http, 200, w => CertificateJson.WritePolicy(w, vault, stored, policy));
    }

    private async Task UpdatePolicyAsync(VaultCall call)
    {
        var name = ObjectNames.Validate(call.Name);
        var vault = call.Vault;
        using var body = await call.ReadBodyAsync();
        string policy;
        string stored;
        lock (vault.Gate)
        {
            var entry = RequireWithPolicy(vault.Resolve(vault.Certificates, name, call.NowMs, call.NowSeconds), name);
            policy = CertificatePolicyModel.Read(body.RootElement, CertificatePolicyModel.Parse(entry.PolicyJson), call.NowSeconds).ToJson();
            entry.PolicyJson = policy;
            stored = entry.Name;
            vault.MarkDirty();
        }

        await JsonResponse.SendAsync(call.Http, 200, w => CertificateJson.WritePolicy(w, vault, stored, policy));
    }

    private async Task ContactsAsync(VaultCall call)
    {
        var vault = call.Vault;
        string? contacts;
        switch (call.Route.Operation)
        {
            case VaultOperation.CertificateContactsSet:
                using (var body = await call.ReadBodyAsync())
                {
                    if (!body.RootElement.TryGetProperty("contacts", out var list) || list.ValueKind != JsonValueKind.Array)
                    {
                        throw VaultErrors.BadParameter("Property 'contacts' (an array) is required.");
                    }

                    contacts = list.GetRawText();
                }

                lock (vault.Gate)
                {
                    vault.ContactsJson = contacts;
                    vault.MarkDirty();
                }

                break;
            case VaultOperation.CertificateContactsDelete:
                lock (vault.Gate)
                {
                    contacts = vault.ContactsJson;
                    vault.ContactsJson = null;
                    vault.MarkDirty();
                }

                break;
            default:
                lock (vault.Gate)
                {
                    contacts = vault.ContactsJson;
                }

                break;
        }

        if (contacts is null)
        {
            throw new VaultErrorException(404, "ContactsNotFound", "Contacts not found.");
        }

        await JsonResponse.SendAsync(call.Http, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("id", vault.BaseUri + "/certificates/contacts");
            w.WritePropertyName("contacts");
            w.WriteRawValue(contacts);
            w.WriteEndObject();
        });
    }

    /// <summary>
    /// POST …/pending/merge {x5c, attributes?, tags?}: completes a create whose issuer is not Self with the certificate an
    /// outside CA signed from the operation's CSR (x5c[0], its public key must be the CSR's) and its chain (the rest,
    /// which the managed secret carries). Answers 201 with the certificate.
    /// </summary>
    private async Task MergeAsync(VaultCall call)
    {
        var name = ObjectNames.Validate(call.Name);
        var vault = call.Vault;
        List<byte[]> x5c;
        AttributesInput attributes;
        IReadOnlyDictionary<string, string>? tags;
        using (var body = await call.ReadBodyAsync())
        {
            var root = body.RootElement;
            var chain = JsonInput.StringArray(root, "x5c") ?? throw VaultErrors.BadParameter("Property 'x5c' (the signed certificate, then its chain, as base64 DER) is required.");
            if (chain.Count == 0)
            {
                throw VaultErrors.BadParameter("Property 'x5c' must hold at least the signed certificate.");
            }

            x5c = chain.Select(ReadDer).ToList();
            attributes = AttributesInput.Read(root);
            tags = JsonInput.Tags(root);
        }

        string requestId;
        KeyVersion key;
        CertificatePolicyModel policy;
        lock (vault.Gate)
        {
            var entry = vault.Resolve(vault.Certificates, name, call.NowMs, call.NowSeconds);
            var op = RequirePending(entry, name);
            if (op.Status != "inProgress" || op.Key is null || op.Certificate is not null)
            {
                throw VaultErrors.BadParameter($"Certificate {name} has no creation in progress that waits for a merge: only a create with an issuer other than Self can be merged.");
            }

            requestId = op.RequestId;
            key = op.Key;
            policy = CertificatePolicyModel.Parse(entry!.PolicyJson);
        }

        var issued = CertificateFactory.Merge(x5c, key.Material);
        var (certificate, mergedKey, secret) = CertificateBuilder.Build(issued, policy, call.NowSeconds, attributes.Enabled ?? key.Enabled, tags ?? key.Tags);
        issued.Certificate.Dispose();
        foreach (var c in issued.Chain)
        {
            c.Dispose();
        }

        ObjectSnapshot<CertificateVersion> snapshot;
        lock (vault.Gate)
        {
            var entry = vault.Resolve(vault.Certificates, name, call.NowMs, call.NowSeconds);
            var op = RequirePending(entry, name);
            if (op.RequestId != requestId || op.Status != "inProgress")
            {
                throw new VaultErrorException(409, "Conflict", $"The pending operation of certificate {name} changed while it was being merged; retry.");
            }

            (op.Certificate, op.Key, op.Secret) = (certificate, mergedKey with { KeyOps = key.KeyOps }, secret);
            vault.CommitPending(entry!);
            snapshot = ObjectSnapshot<CertificateVersion>.Of(entry!, entry!.Latest!);
        }

        // As recorded: the 201 names the certificate in Location.
        call.Http.Response.Headers.Location = $"{vault.BaseUri}/certificates/{snapshot.Name}?api-version={call.ApiVersion}";
        await JsonResponse.SendAsync(call.Http, 201, w => CertificateJson.WriteBundle(w, vault, snapshot, false));
    }

    /// <summary>
    /// One x5c entry: base64 DER, or base64 of PEM text (what the JavaScript client sends when given the bytes of a PEM
    /// body; the service accepts it, recorded in the JS SDK's "can merge a self signed certificate").
    /// </summary>
    private static byte[] ReadDer(string base64)
    {
        byte[] bytes;
        try
        {
            bytes = DecodeBase64(base64);
        }
        catch (FormatException)
        {
            throw VaultErrors.BadParameter("Each of 'x5c' must be a base64 DER certificate.");
        }

        if (bytes.Length == 0 || bytes[0] == 0x30 || bytes.Any(b => (b < 0x20 || b > 0x7E) && b != (byte)'\r' && b != (byte)'\n'))
        {
            return bytes;
        }

        var text = System.Text.Encoding.ASCII.GetString(bytes)
            .Replace("-----BEGIN CERTIFICATE-----", string.Empty, StringComparison.Ordinal)
            .Replace("-----END CERTIFICATE-----", string.Empty, StringComparison.Ordinal)
            .Replace("\r", string.Empty, StringComparison.Ordinal)
            .Replace("\n", string.Empty, StringComparison.Ordinal);
        try
        {
            var der = DecodeBase64(text);
            return der.Length > 0 && der[0] == 0x30 ? der : bytes;
        }
        catch (FormatException)
        {
            return bytes;
        }
    }

    private static byte[] DecodeBase64(string base64)
    {
        var t = base64.Trim().Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(t.PadRight((t.Length + 3) / 4 * 4, '='));
    }

    /// <summary>Under the lock: the certificate entry to add a version to, after the name checks (409s).</summary>
    private static CertificateEntry PrepareName(VaultCall call, string name)
    {
        var vault = call.Vault;
        var entry = vault.Resolve(vault.Certificates, name, call.NowMs, call.NowSeconds);
        SoftDeleteStateMachine.EnsureNameFree(entry, ObjectKind.Certificate, name);
        var key = vault.Resolve(vault.Keys, name, call.NowMs, call.NowSeconds);
        var secret = vault.Resolve(vault.Secrets, name, call.NowMs, call.NowSeconds);
        foreach (var (owned, kind) in new (ObjectEntry?, ObjectKind)[] { (key, ObjectKind.Key), (secret, ObjectKind.Secret) })
        {
            if (owned is { Managed: false })
            {
                if (owned.IsActive)
                {
                    throw new VaultErrorException(409, "Conflict", $"A {kind.Lower} named '{name}' exists that does not belong to a certificate; a certificate needs the name for its own {kind.Lower}.");
                }

                SoftDeleteStateMachine.EnsureNameFree(owned, kind, name);
            }
        }

        if (entry is null)
        {
            entry = new CertificateEntry { Name = name };
            vault.Certificates.Add(entry);
        }

        return entry;
    }

    private static void AddVersions(Vault vault, CertificateEntry entry, CertificateVersion certificate, KeyVersion key, SecretVersion secret)
    {
        entry.Pending = new PendingCertificateOperation
        {
            RequestId = "",
            Csr = "",
            IssuerName = "",
            Certificate = certificate,
            Key = key,
            Secret = secret,
        };
        vault.CommitPending(entry);
        entry.Pending = null;
    }

    /// <summary>A certificate's backup holds its managed key's and secret's versions and its policy too.</summary>
    private static void FillPayload(Vault vault, CertificateEntry entry, BackupPayload payload)
    {
        // A create in progress is not carried (its placeholder has no certificate yet).
        payload.Certificates = [.. entry.Versions.Where(v => !v.IsPending)];
        if (payload.Certificates.Count == 0)
        {
            throw VaultErrors.BadParameter($"Certificate {entry.Name} has no completed version to back up: its creation is still in progress.");
        }

        payload.Keys = vault.Keys.Find(entry.Name) is { } k ? [.. k.Versions] : [];
        payload.Secrets = vault.Secrets.Find(entry.Name) is { } s ? [.. s.Versions] : [];
        payload.PolicyJson = entry.PolicyJson;
    }

    /// <summary>A restore needs the key and secret names as well: no live key or secret, none deleted and recoverable.</summary>
    private static void FreeOwnedNames(Vault vault, BackupPayload payload, long nowMs, long nowSeconds)
    {
        var name = payload.Name;
        var key = vault.Resolve(vault.Keys, name, nowMs, nowSeconds);
        var secret = vault.Resolve(vault.Secrets, name, nowMs, nowSeconds);
        if (key is { IsActive: true })
        {
            throw VaultErrors.AlreadyExists(vault, ObjectKind.Key, key.Name, BackupPayload.LatestVersion(payload.Keys));
        }

        if (secret is { IsActive: true })
        {
            throw VaultErrors.AlreadyExists(vault, ObjectKind.Secret, secret.Name, BackupPayload.LatestVersion(payload.Secrets));
        }

        SoftDeleteStateMachine.EnsureNameFree(key, ObjectKind.Key, name);
        SoftDeleteStateMachine.EnsureNameFree(secret, ObjectKind.Secret, name);
        RemoveIfPresent(vault.Keys, key);
        RemoveIfPresent(vault.Secrets, secret);
    }

    /// <summary>The restored certificate; its key and secret come back as managed entries.</summary>
    private static CertificateEntry FromPayload(Vault vault, BackupPayload payload)
    {
        var name = payload.Name;
        var entry = new CertificateEntry { Name = name, PolicyJson = payload.PolicyJson!, Versions = BackupSerializer.Resequence(vault, payload.Certificates!) };
        if (payload.Keys is { Count: > 0 })
        {
            vault.Keys.Add(new KeyEntry { Name = name, Managed = true, Versions = BackupSerializer.Resequence(vault, payload.Keys) });
        }

        if (payload.Secrets is { Count: > 0 })
        {
            vault.Secrets.Add(new SecretEntry { Name = name, Managed = true, Versions = BackupSerializer.Resequence(vault, payload.Secrets) });
        }

        return entry;
    }

    private static PendingCertificateOperation RequirePending(CertificateEntry? entry, string name)
        => entry is { State: EntryState.Active, Pending: { } op } ? op : throw new VaultErrorException(404, "PendingCertificateNotFound", $"Pending certificate not found: {name}");

    private static CertificateEntry RequireWithPolicy(CertificateEntry? entry, string name)
        => entry is { State: EntryState.Active } && (entry.VersionCount > 0 || entry.Pending is not null) ? entry : throw VaultErrors.NotFound(ObjectKind.Certificate, name);

    private static void UpdateOwned<TVersion>(VersionedEntry<TVersion>? owned, string version, Func<TVersion, TVersion> update)
        where TVersion : ObjectVersion
    {
        if (owned?.Find(version) is { } v && string.Equals(v.Version, version, StringComparison.OrdinalIgnoreCase))
        {
            owned.Replace(update(v));
        }
    }

    private static void RemoveIfPresent<TEntry>(ObjectCollection<TEntry> collection, TEntry? entry)
        where TEntry : ObjectEntry
    {
        if (entry is not null)
        {
            collection.Remove(entry);
        }
    }

    /// <summary>Applies a certificate's delete, recover or purge to its managed key and secret (under the lock).</summary>
    private void CascadeToOwned(Vault vault, CertificateEntry certificate, LifecycleAction action, long nowMs, long nowSeconds)
    {
        if (action == LifecycleAction.Delete && certificate.Pending is { Status: "inProgress" } pending)
        {
            // A create still in progress dies with the certificate.
            pending.Cancel();
        }

        _keys.Common.ApplyOwned(vault, certificate.Name, action, nowMs, nowSeconds);
        _secrets.Common.ApplyOwned(vault, certificate.Name, action, nowMs, nowSeconds);
    }
}
