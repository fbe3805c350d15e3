using System.Runtime.CompilerServices;
using Azure.Security.KeyVault.Certificates;

namespace KvArchive.Engine.Vault;

/// <summary>Certificates through the Azure SDK's <see cref="CertificateClient"/>.</summary>
internal sealed class CertificateStore(CertificateClient client, VaultIdentity vault) : IObjectStore
{
    public KvObjectType Type => KvObjectType.Certificate;

    public async IAsyncEnumerable<KvObject> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in client.GetPropertiesOfCertificatesAsync(false, cancellationToken).AsPages().ConfigureAwait(false))
        {
            var listedAt = ListingClock.Of(page.GetRawResponse());
            foreach (var properties in page.Values)
            {
                yield return ListingClock.Stamp(Map(properties, null), listedAt);
            }
        }
    }

    public async IAsyncEnumerable<KvObject> ListVersionsAsync(string name, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var properties in client.GetPropertiesOfCertificateVersionsAsync(name, cancellationToken).ConfigureAwait(false))
        {
            yield return Map(properties, null);
        }
    }

    public async IAsyncEnumerable<KvObject> ListDeletedAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var deleted in client.GetDeletedCertificatesAsync(false, cancellationToken).ConfigureAwait(false))
        {
            yield return MapDeleted(deleted);
        }
    }

    public async Task<KvObject> GetAsync(string name, string? version, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(version))
        {
            var latest = (await client.GetCertificateAsync(name, cancellationToken).ConfigureAwait(false)).Value;
            return Map(latest.Properties, latest.Policy);
        }

        var certificate = (await client.GetCertificateVersionAsync(name, version, cancellationToken).ConfigureAwait(false)).Value;
        return Map(certificate.Properties, null);
    }

    public async Task<KvObject> GetDeletedAsync(string name, CancellationToken cancellationToken)
        => MapDeleted((await client.GetDeletedCertificateAsync(name, cancellationToken).ConfigureAwait(false)).Value);

    public async Task<KvObject> UpdateAsync(string name, string? version, KvPropertyUpdate update, CancellationToken cancellationToken)
    {
        if (update.ContentType is not null || update.ExpiresOn is not null || update.NotBefore is not null || update.ClearExpiresOn || update.ClearNotBefore)
        {
            throw new KvException(
                KvErrorKind.InvalidArgument,
                KvErrorIds.InvalidArgument,
                $"Certificate '{name}': its validity dates and format come from the X.509 certificate and its policy; only whether it is enabled and its tags can be updated.")
            {
                ObjectType = KvObjectType.Certificate,
                ObjectName = name,
            };
        }

        version ??= (await GetAsync(name, null, cancellationToken).ConfigureAwait(false)).Version
            ?? throw new InvalidOperationException($"Vault '{vault.Name}' returned certificate '{name}' without a version.");
        var properties = new CertificateProperties(vault.ObjectId(KvObjectType.Certificate, name, version)) { Enabled = update.Enabled };
        if (update.Tags is not null)
        {
            foreach (var (key, value) in update.Tags)
            {
                properties.Tags[key] = value;
            }
        }

        var updated = (await client.UpdateCertificatePropertiesAsync(properties, cancellationToken).ConfigureAwait(false)).Value;
        return Map(updated.Properties, null);
    }

    public async Task<KvObject> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var operation = await client.StartDeleteCertificateAsync(name, cancellationToken).ConfigureAwait(false);
        return MapDeleted(operation.Value);
    }

    public async Task RecoverAsync(string name, CancellationToken cancellationToken)
        => await client.StartRecoverDeletedCertificateAsync(name, cancellationToken).ConfigureAwait(false);

    public async Task PurgeAsync(string name, CancellationToken cancellationToken)
        => await client.PurgeDeletedCertificateAsync(name, cancellationToken).ConfigureAwait(false);

    public async Task<byte[]> BackupAsync(string name, CancellationToken cancellationToken)
        => (await client.BackupCertificateAsync(name, cancellationToken).ConfigureAwait(false)).Value;

    public async Task<KvObject> RestoreAsync(ReadOnlyMemory<byte> blob, CancellationToken cancellationToken)
    {
        var restored = (await client.RestoreCertificateBackupAsync(blob.ToArray(), cancellationToken).ConfigureAwait(false)).Value;
        return Map(restored.Properties, restored.Policy);
    }

    private KvObject Map(CertificateProperties p, CertificatePolicy? policy)
    {
        var name = KvObjectMapping.NameOf(p.Id, p.Name);
        return new KvObject
        {
            Type = KvObjectType.Certificate,
            VaultName = vault.Name,
            VaultUri = vault.Uri,
            Name = name,
            Version = string.IsNullOrEmpty(p.Version) ? null : p.Version,
            Id = p.Id ?? vault.ObjectId(KvObjectType.Certificate, name, p.Version),
            Enabled = p.Enabled,
            NotBefore = p.NotBefore,
            ExpiresOn = p.ExpiresOn,
            CreatedOn = p.CreatedOn,
            UpdatedOn = p.UpdatedOn,
            ContentType = policy?.ContentType?.ToString(),
            Tags = KvObjectMapping.Tags(p.Tags),
            RecoveryLevel = p.RecoveryLevel,
            RecoverableDays = p.RecoverableDays,
            Thumbprint = KvObjectMapping.Hex(p.X509Thumbprint),
        };
    }

    private KvObject MapDeleted(DeletedCertificate d)
        => KvObjectMapping.AsDeleted(Map(d.Properties, d.Policy), d.DeletedOn, d.ScheduledPurgeDate, d.RecoveryId);
}
