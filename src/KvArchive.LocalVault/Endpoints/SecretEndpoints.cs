using System.Text;
using KvArchive.LocalVault.Crypto;
using KvArchive.LocalVault.Http;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Endpoints;

/// <summary>/secrets and /deletedsecrets.</summary>
public sealed class SecretEndpoints
{
    /// <summary>25 KB, the service's limit on a secret value (UTF-8 bytes).</summary>
    public const int MaxValueBytes = 25 * 1024;

    public SecretEndpoints()
    {
        Common = new ObjectEndpoints<SecretEntry, SecretVersion>
        {
            Kind = ObjectKind.Secret,
            Collection = v => v.Secrets,
            WriteBundle = (w, v, s, deleted) => SecretJson.WriteBundle(w, v, s, includeValue: false, deleted),
            WriteItem = SecretJson.WriteItem,
            RefuseManaged = true,
            Backup = new BackupMapping<SecretEntry>
            {
                FrameTag = BackupBlobCodec.SecretTag,
                FillPayload = (_, entry, payload) => payload.Secrets = [.. entry.Versions],
                IsComplete = payload => payload.Secrets is { Count: > 0 },
                FromPayload = (vault, payload) => new SecretEntry { Name = payload.Name, Versions = BackupSerializer.Resequence(vault, payload.Secrets!) },
            },
        };
    }

    public ObjectEndpoints<SecretEntry, SecretVersion> Common { get; }

    public Task HandleAsync(VaultCall call) => call.Route.Operation switch
    {
        VaultOperation.SecretList => Common.ListAsync(call),
        VaultOperation.SecretGet => GetAsync(call),
        VaultOperation.SecretSet => SetAsync(call),
        VaultOperation.SecretUpdate => UpdateAsync(call),
        VaultOperation.SecretDelete => Common.DeleteAsync(call),
        VaultOperation.SecretVersions => Common.ListVersionsAsync(call),
        VaultOperation.SecretBackup => Common.BackupAsync(call),
        VaultOperation.SecretRestore => Common.RestoreAsync(call),
        VaultOperation.DeletedSecretList => Common.ListDeletedAsync(call),
        VaultOperation.DeletedSecretGet => Common.GetDeletedAsync(call),
        VaultOperation.DeletedSecretPurge => Common.PurgeAsync(call),
        VaultOperation.DeletedSecretRecover => Common.RecoverAsync(call),
        _ => throw new InvalidOperationException("Not a secret operation."),
    };

    private Task GetAsync(VaultCall call)
    {
        var snapshot = Common.Snapshot(call, call.Name, call.Route.Version);
        if (!snapshot.Version.Enabled)
        {
            throw VaultErrors.Disabled("get");
        }

        var outContentType = call.Http.Request.Query["outContentType"].ToString();
        if (outContentType.Length > 0 && outContentType != snapshot.Version.ContentType)
        {
            snapshot = snapshot with { Version = Convert(snapshot, outContentType) };
        }

        return JsonResponse.SendAsync(call.Http, 200, w => SecretJson.WriteBundle(w, call.Vault, snapshot, includeValue: true));
    }

    private async Task SetAsync(VaultCall call)
    {
        var name = ObjectNames.Validate(call.Name);
        SecretVersion version;
        using (var body = await call.ReadBodyAsync())
        {
            var root = body.RootElement;
            var value = JsonInput.String(root, "value") ?? throw VaultErrors.BadParameter("Property 'value' is required.");
            CheckValueSize(value);
            var attributes = AttributesInput.Read(root);
            version = new SecretVersion
            {
                Version = ObjectNames.NewVersion(),
                Value = value,
                ContentType = JsonInput.String(root, "contentType"),
                Tags = JsonInput.Tags(root),
                Enabled = attributes.Enabled ?? true,
                NotBefore = attributes.NotBefore,
                Expires = attributes.Expires,
                Created = call.NowSeconds,
                Updated = call.NowSeconds,
            };
        }

        var snapshot = Common.AddVersion(call, name, version, "set", n => new SecretEntry { Name = n });
        await JsonResponse.SendAsync(call.Http, 200, w => SecretJson.WriteBundle(w, call.Vault, snapshot, includeValue: true));
    }

    private async Task UpdateAsync(VaultCall call)
    {
        var name = ObjectNames.Validate(call.Name);
        var versionId = ObjectNames.ValidateVersion(call.Route.Version);
        using var body = await call.ReadBodyAsync();
        var root = body.RootElement;
        var attributes = AttributesInput.Read(root);
        var hasContentType = root.TryGetProperty("contentType", out _);
        var contentType = JsonInput.String(root, "contentType");
        var tags = JsonInput.Tags(root);
        await Common.UpdateAsync(call, name, versionId, (_, current) => current with
        {
            ContentType = hasContentType ? contentType : current.ContentType,
            Enabled = attributes.Enabled ?? current.Enabled,
            NotBefore = attributes.NotBefore ?? current.NotBefore,
            Expires = attributes.Expires ?? current.Expires,
            Tags = tags ?? current.Tags,
            Updated = call.NowSeconds,
        });
    }

    /// <summary>A certificate-backed secret in the other format (the outContentType parameter of api-version 2025-07-01).</summary>
    private static SecretVersion Convert(ObjectSnapshot<SecretVersion> snapshot, string contentType)
    {
        if (!snapshot.Managed || contentType is not (CertificatePolicyModel.Pem or CertificatePolicyModel.Pkcs12))
        {
            throw VaultErrors.BadParameter($"outContentType '{contentType}' is not supported for this secret: only certificate-backed secrets convert, between {CertificatePolicyModel.Pkcs12} and {CertificatePolicyModel.Pem}.");
        }

        var issued = CertificateFactory.Import(snapshot.Version.Value, null);
        try
        {
            return snapshot.Version with { Value = CertificateFactory.SecretValue(issued, contentType), ContentType = contentType };
        }
        finally
        {
            issued.Certificate.Dispose();
        }
    }

    private static void CheckValueSize(string value)
    {
        // Cheap bound first: a UTF-8 string has at least as many bytes as chars and at most three per char.
        if (value.Length > MaxValueBytes || (value.Length * 3 > MaxValueBytes && Encoding.UTF8.GetByteCount(value) > MaxValueBytes))
        {
            throw VaultErrors.BadParameter($"The secret value is too large: at most {MaxValueBytes} bytes (25 KB) are allowed.");
        }
    }
}
