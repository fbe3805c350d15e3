using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using KvArchive.LocalVault.Crypto;
using KvArchive.LocalVault.Http;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Endpoints;

/// <summary>/keys, /deletedkeys and /rng: keys are created, imported, listed, backed up and used (sign, verify, encrypt, decrypt, wrap, unwrap).</summary>
public sealed class KeyEndpoints
{
    private readonly KeyCryptographyEndpoints _cryptography;

    public KeyEndpoints()
    {
        Common = new ObjectEndpoints<KeyEntry, KeyVersion>
        {
            Kind = ObjectKind.Key,
            Collection = v => v.Keys,
            WriteBundle = KeyJson.WriteBundle,
            WriteItem = KeyJson.WriteItem,
            RefuseManaged = true,
            Backup = new BackupMapping<KeyEntry>
            {
                FrameTag = BackupBlobCodec.KeyTag,
                FillPayload = (_, entry, payload) =>
                {
                    payload.Keys = [.. entry.Versions];
                    payload.RotationPolicyJson = entry.RotationPolicyJson;
                },
                IsComplete = payload => payload.Keys is { Count: > 0 },
                FromPayload = (vault, payload) => new KeyEntry
                {
                    Name = payload.Name,
                    Versions = BackupSerializer.Resequence(vault, payload.Keys!),
                    RotationPolicyJson = payload.RotationPolicyJson,
                },
            },
        };
        _cryptography = new KeyCryptographyEndpoints(Common);
    }

    public ObjectEndpoints<KeyEntry, KeyVersion> Common { get; }

    public Task HandleAsync(VaultCall call) => call.Route.Operation switch
    {
        VaultOperation.KeyList => Common.ListAsync(call),
        VaultOperation.KeyGet => Common.GetAsync(call),
        VaultOperation.KeyCreate => AddVersionAsync(call, "create", CreatedVersion),
        VaultOperation.KeyImport => AddVersionAsync(call, "import", ImportedVersion),
        VaultOperation.KeyUpdate => UpdateAsync(call),
        VaultOperation.KeyDelete => Common.DeleteAsync(call),
        VaultOperation.KeyVersions => Common.ListVersionsAsync(call),
        VaultOperation.KeyBackup => Common.BackupAsync(call),
        VaultOperation.KeyRestore => Common.RestoreAsync(call),
        VaultOperation.KeyRotate => RotateAsync(call),
        VaultOperation.KeyRotationPolicyGet => GetRotationPolicyAsync(call),
        VaultOperation.KeyRotationPolicySet => SetRotationPolicyAsync(call),
        VaultOperation.DeletedKeyList => Common.ListDeletedAsync(call),
        VaultOperation.DeletedKeyGet => Common.GetDeletedAsync(call),
        VaultOperation.DeletedKeyPurge => Common.PurgeAsync(call),
        VaultOperation.DeletedKeyRecover => Common.RecoverAsync(call),
        VaultOperation.RandomBytes => RandomBytesAsync(call),
        VaultOperation.KeySign or VaultOperation.KeyVerify or VaultOperation.KeyEncrypt or VaultOperation.KeyDecrypt or VaultOperation.KeyWrap or VaultOperation.KeyUnwrap => _cryptography.HandleAsync(call),
        VaultOperation.KeyCryptography => throw new VaultErrorException(501, "NotImplemented", "LocalVault does not offer this key operation (release and attestation are Managed HSM features)."),
        _ => throw new InvalidOperationException("Not a key operation."),
    };

    /// <summary>A create or import: the new version comes from the request body.</summary>
    private async Task AddVersionAsync(VaultCall call, string operation, Func<JsonElement, long, KeyVersion> fromBody)
    {
        var name = ObjectNames.Validate(call.Name);
        KeyVersion version;
        using (var body = await call.ReadBodyAsync())
        {
            version = fromBody(body.RootElement, call.NowSeconds);
        }

        await AddVersionAsync(call, name, version, operation);
    }

    private async Task RotateAsync(VaultCall call)
    {
        var name = ObjectNames.Validate(call.Name);
        KeyVersion latest;
        var vault = call.Vault;
        lock (vault.Gate)
        {
            var entry = SoftDeleteStateMachine.RequireActive(vault.Resolve(vault.Keys, name, call.NowMs, call.NowSeconds), ObjectKind.Key, name);
            latest = entry.Latest!;
        }

        var m = latest.Material;
        var material = m.IsRsa ? KeyFactory.CreateRsa(m.KeySize, m.Kty) : KeyFactory.CreateEc(m.Crv ?? "P-256", m.Kty);
        var version = latest with
        {
            Version = ObjectNames.NewVersion(),
            Material = material,
            Enabled = true,
            NotBefore = null,
            Expires = null,
            Created = call.NowSeconds,
            Updated = call.NowSeconds,
        };
        await AddVersionAsync(call, name, version, "rotate");
    }

    private Task AddVersionAsync(VaultCall call, string name, KeyVersion version, string operation)
    {
        var snapshot = Common.AddVersion(call, name, version, operation, n => new KeyEntry { Name = n });
        return JsonResponse.SendAsync(call.Http, 200, w => KeyJson.WriteBundle(w, call.Vault, snapshot, false));
    }

    private async Task UpdateAsync(VaultCall call)
    {
        var name = ObjectNames.Validate(call.Name);
        var versionId = ObjectNames.ValidateVersion(call.Route.Version);
        using var body = await call.ReadBodyAsync();
        var root = body.RootElement;
        var attributes = AttributesInput.Read(root);
        var tags = JsonInput.Tags(root);
        var ops = KeyFactory.ReadOperations(root);
        await Common.UpdateAsync(call, name, versionId, (_, current) => current with
        {
            Enabled = attributes.Enabled ?? current.Enabled,
            NotBefore = attributes.NotBefore ?? current.NotBefore,
            Expires = attributes.Expires ?? current.Expires,
            Tags = tags ?? current.Tags,
            KeyOps = ops ?? current.KeyOps,
            Updated = call.NowSeconds,
        });
    }

    private Task GetRotationPolicyAsync(VaultCall call)
    {
        var name = ObjectNames.Validate(call.Name);
        var vault = call.Vault;
        string? policy;
        string stored;
        lock (vault.Gate)
        {
            var entry = SoftDeleteStateMachine.RequireActive(vault.Resolve(vault.Keys, name, call.NowMs, call.NowSeconds), ObjectKind.Key, name);
            policy = entry.RotationPolicyJson;
            stored = entry.Name;
        }

        return JsonResponse.SendAsync(call.Http, 200, w => WriteRotationPolicy(w, vault, stored, policy));
    }

    private async Task SetRotationPolicyAsync(VaultCall call)
    {
        var name = ObjectNames.Validate(call.Name);
        string policy;
        using (var body = await call.ReadBodyAsync())
        {
            var root = body.RootElement;
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream))
            {
                w.WriteStartObject();
                w.WritePropertyName("lifetimeActions");
                if (root.TryGetProperty("lifetimeActions", out var actions) && actions.ValueKind == JsonValueKind.Array)
                {
                    actions.WriteTo(w);
                }
                else
                {
                    w.WriteStartArray();
                    w.WriteEndArray();
                }

                w.WriteStartObject("attributes");
                if (JsonInput.Object(root, "attributes") is { } a && JsonInput.String(a, "expiryTime") is { } expiry)
                {
                    w.WriteString("expiryTime", expiry);
                }

                w.WriteNumber("created", call.NowSeconds);
                w.WriteNumber("updated", call.NowSeconds);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            policy = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        }

        var vault = call.Vault;
        string stored;
        lock (vault.Gate)
        {
            var entry = SoftDeleteStateMachine.RequireActive(vault.Resolve(vault.Keys, name, call.NowMs, call.NowSeconds), ObjectKind.Key, name);
            entry.RotationPolicyJson = policy;
            stored = entry.Name;
            vault.MarkDirty();
        }

        await JsonResponse.SendAsync(call.Http, 200, w => WriteRotationPolicy(w, vault, stored, policy));
    }

    private static void WriteRotationPolicy(Utf8JsonWriter w, Vault vault, string name, string? policy)
    {
        w.WriteStartObject();
        w.WriteString("id", $"{vault.BaseUri}/keys/{name}/rotationpolicy");
        if (policy is null)
        {
            w.WritePropertyName("lifetimeActions");
            w.WriteRawValue("""[{"trigger":{"timeBeforeExpiry":"P30D"},"action":{"type":"Notify"}}]""");
            w.WriteStartObject("attributes");
            w.WriteEndObject();
        }
        else
        {
            using var doc = JsonDocument.Parse(policy);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                p.WriteTo(w);
            }
        }

        w.WriteEndObject();
    }

    private static async Task RandomBytesAsync(VaultCall call)
    {
        int count;
        using (var body = await call.ReadBodyAsync())
        {
            count = JsonInput.Int(body.RootElement, "count") ?? throw VaultErrors.BadParameter("Property 'count' is required.");
        }

        if (count is < 1 or > 128)
        {
            throw VaultErrors.BadParameter("count must be from 1 to 128.");
        }

        var value = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(count));
        await JsonResponse.SendAsync(call.Http, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("value", value);
            w.WriteEndObject();
        });
    }

    private static KeyVersion CreatedVersion(JsonElement root, long now)
    {
        var kty = JsonInput.String(root, "kty") ?? throw VaultErrors.BadParameter("Property 'kty' is required.");
        var material = kty switch
        {
            "RSA" or "RSA-HSM" => RsaFor(root, kty),
            "EC" or "EC-HSM" => KeyFactory.CreateEc(JsonInput.String(root, "crv") ?? "P-256", kty),
            _ => throw VaultErrors.BadParameter($"Key type '{kty}' is not supported by this vault. Use RSA, RSA-HSM, EC or EC-HSM."),
        };
        return NewVersion(root, material, now, KeyFactory.ReadOperations(root));
    }

    private static KeyVersion ImportedVersion(JsonElement root, long now)
    {
        var jwk = JsonInput.Object(root, "key") ?? throw VaultErrors.BadParameter("Property 'key' (a JSON Web Key) is required.");
        var material = KeyFactory.Import(jwk);
        if (JsonInput.Bool(root, "Hsm") == true && !material.Kty.EndsWith("-HSM", StringComparison.Ordinal))
        {
            material = material with { Kty = material.Kty + "-HSM" };
        }

        return NewVersion(root, material, now, KeyFactory.ReadOperations(jwk));
    }

    private static KeyMaterial RsaFor(JsonElement root, string kty)
    {
        if (JsonInput.Int(root, "public_exponent") is { } exponent && exponent != 65537)
        {
            throw VaultErrors.BadParameter("Only the public exponent 65537 is supported.");
        }

        return KeyFactory.CreateRsa(JsonInput.Int(root, "key_size") ?? 2048, kty);
    }

    private static KeyVersion NewVersion(JsonElement root, KeyMaterial material, long now, IReadOnlyList<string>? ops)
    {
        var attributes = AttributesInput.Read(root);
        return new KeyVersion
        {
            Version = ObjectNames.NewVersion(),
            Material = material,
            KeyOps = ops ?? (material.IsRsa ? KeyFactory.RsaOperations : KeyFactory.EcOperations),
            Exportable = attributes.Exportable ?? false,
            Enabled = attributes.Enabled ?? true,
            NotBefore = attributes.NotBefore,
            Expires = attributes.Expires,
            Tags = JsonInput.Tags(root),
            Created = now,
            Updated = now,
        };
    }
}
