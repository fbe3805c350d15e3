using System.Runtime.CompilerServices;
using System.Security;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Security.KeyVault.Secrets;

namespace KvArchive.Engine.Vault;

/// <summary>Secrets through the Azure SDK's <see cref="SecretClient"/>.</summary>
internal sealed class SecretStore(SecretClient client, VaultRestClient rest) : ISecretStore
{
    private VaultIdentity Vault => rest.Vault;

    public KvObjectType Type => KvObjectType.Secret;

    public async IAsyncEnumerable<KvObject> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in client.GetPropertiesOfSecretsAsync(cancellationToken).AsPages().ConfigureAwait(false))
        {
            var listedAt = ListingClock.Of(page.GetRawResponse());
            foreach (var properties in page.Values)
            {
                yield return ListingClock.Stamp(Map(properties), listedAt);
            }
        }
    }

    public async IAsyncEnumerable<KvObject> ListVersionsAsync(string name, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var properties in client.GetPropertiesOfSecretVersionsAsync(name, cancellationToken).ConfigureAwait(false))
        {
            yield return Map(properties);
        }
    }

    public async IAsyncEnumerable<KvObject> ListDeletedAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var deleted in client.GetDeletedSecretsAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return MapDeleted(deleted);
        }
    }

    public async Task<KvObject> GetAsync(string name, string? version, CancellationToken cancellationToken)
    {
        RequestFailedException disabled;
        try
        {
            var secret = await client.GetSecretAsync(name, version, cancellationToken).ConfigureAwait(false);
            return Map(secret.Value.Properties);
        }
        catch (RequestFailedException e) when (e.Status == 403 && IsSecretDisabled(e))
        {
            disabled = e;
        }

        // A disabled secret's GET is refused, but its properties are listed; find the version there.
        var found = await FindVersionAsync(name, version, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(disabled);
        }

        return found;
    }

    public async Task<KvObject> GetDeletedAsync(string name, CancellationToken cancellationToken)
    {
        var deleted = await client.GetDeletedSecretAsync(name, cancellationToken).ConfigureAwait(false);
        return MapDeleted(deleted.Value);
    }

    public async Task<KvObject> UpdateAsync(string name, string? version, KvPropertyUpdate update, CancellationToken cancellationToken)
    {
        version ??= (await GetAsync(name, null, cancellationToken).ConfigureAwait(false)).Version
            ?? throw new InvalidOperationException($"Vault '{Vault.Name}' returned secret '{name}' without a version.");

        if (DateClearing.Requested(update))
        {
            var cleared = await DateClearing.ClearAsync(rest, KvObjectType.Secret, name, version, update, RestMapping.ToSecret, cancellationToken).ConfigureAwait(false);
            update = DateClearing.Remainder(update);
            if (!DateClearing.Changes(update))
            {
                return cleared;
            }
        }

        // The SDK omits empty tags, so it cannot remove every tag; that goes through REST.
        if (update.Tags is { Count: 0 })
        {
            using var answer = await rest.SendAsync(RequestMethod.Patch, $"secrets/{name}/{version}", UpdateBody(update), cancellationToken).ConfigureAwait(false);
            return RestMapping.ToSecret(answer!.RootElement, Vault);
        }

        var properties = new SecretProperties(Vault.ObjectId(KvObjectType.Secret, name, version))
        {
            Enabled = update.Enabled,
            ExpiresOn = update.ExpiresOn,
            NotBefore = update.NotBefore,
            ContentType = update.ContentType,
        };
        if (update.Tags is not null)
        {
            foreach (var (key, value) in update.Tags)
            {
                properties.Tags[key] = value;
            }
        }

        var updated = await client.UpdateSecretPropertiesAsync(properties, cancellationToken).ConfigureAwait(false);
        return Map(updated.Value);
    }

    public async Task<KvObject> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var operation = await client.StartDeleteSecretAsync(name, cancellationToken).ConfigureAwait(false);
        return MapDeleted(operation.Value);
    }

    public async Task RecoverAsync(string name, CancellationToken cancellationToken)
        => await client.StartRecoverDeletedSecretAsync(name, cancellationToken).ConfigureAwait(false);

    public async Task PurgeAsync(string name, CancellationToken cancellationToken)
        => await client.PurgeDeletedSecretAsync(name, cancellationToken).ConfigureAwait(false);

    public async Task<byte[]> BackupAsync(string name, CancellationToken cancellationToken)
        => (await client.BackupSecretAsync(name, cancellationToken).ConfigureAwait(false)).Value;

    public async Task<KvObject> RestoreAsync(ReadOnlyMemory<byte> blob, CancellationToken cancellationToken)
    {
        var restored = await client.RestoreSecretBackupAsync(blob.ToArray(), cancellationToken).ConfigureAwait(false);
        return Map(restored.Value);
    }

    public async Task<KvObject> SetAsync(string name, string value, KvSecretSetOptions options, CancellationToken cancellationToken)
    {
        var secret = new KeyVaultSecret(name, value);
        secret.Properties.ContentType = options.ContentType;
        secret.Properties.Enabled = options.Enabled;
        secret.Properties.ExpiresOn = options.ExpiresOn;
        secret.Properties.NotBefore = options.NotBefore;
        if (options.Tags is not null)
        {
            foreach (var (key, tag) in options.Tags)
            {
                secret.Properties.Tags[key] = tag;
            }
        }

        var set = await client.SetSecretAsync(secret, cancellationToken).ConfigureAwait(false);
        return Map(set.Value.Properties);
    }

    public async Task<KvSecretValue> GetValueAsync(string name, string? version, CancellationToken cancellationToken)
    {
        var secret = (await client.GetSecretAsync(name, version, cancellationToken).ConfigureAwait(false)).Value;
        var value = new SecureString();
        foreach (var c in secret.Value ?? string.Empty)
        {
            value.AppendChar(c);
        }

        value.MakeReadOnly();
        return new KvSecretValue { Properties = Map(secret.Properties), Value = value };
    }

    internal KvObject Map(SecretProperties p)
    {
        var name = KvObjectMapping.NameOf(p.Id, p.Name);
        return new KvObject
        {
            Type = KvObjectType.Secret,
            VaultName = Vault.Name,
            VaultUri = Vault.Uri,
            Name = name,
            Version = string.IsNullOrEmpty(p.Version) ? null : p.Version,
            Id = p.Id ?? Vault.ObjectId(KvObjectType.Secret, name, p.Version),
            Enabled = p.Enabled,
            NotBefore = p.NotBefore,
            ExpiresOn = p.ExpiresOn,
            CreatedOn = p.CreatedOn,
            UpdatedOn = p.UpdatedOn,
            ContentType = p.ContentType,
            Tags = KvObjectMapping.Tags(p.Tags),
            Managed = p.Managed,
            RecoveryLevel = p.RecoveryLevel,
            RecoverableDays = p.RecoverableDays,
        };
    }

    private KvObject MapDeleted(DeletedSecret d)
        => KvObjectMapping.AsDeleted(Map(d.Properties), d.DeletedOn, d.ScheduledPurgeDate, d.RecoveryId);

    private async Task<KvObject?> FindVersionAsync(string name, string? version, CancellationToken cancellationToken)
    {
        KvObject? latest = null;
        await foreach (var candidate in ListVersionsAsync(name, cancellationToken).ConfigureAwait(false))
        {
            if (version is not null)
            {
                if (string.Equals(candidate.Version, version, StringComparison.OrdinalIgnoreCase))
                {
                    return candidate;
                }

                continue;
            }

            if (latest is null || (candidate.CreatedOn ?? default) > (latest.CreatedOn ?? default))
            {
                latest = candidate;
            }
        }

        return latest;
    }

    private static bool IsSecretDisabled(RequestFailedException e)
    {
        var error = ServiceError.From(e);
        return string.Equals(error.InnerCode, "SecretDisabled", StringComparison.OrdinalIgnoreCase)
            || string.Equals(error.Code, "SecretDisabled", StringComparison.OrdinalIgnoreCase);
    }

    private static JsonObject UpdateBody(KvPropertyUpdate update)
    {
        var body = new JsonObject();
        var attributes = RestMapping.UpdateAttributes(update);
        if (attributes.Count > 0)
        {
            body["attributes"] = attributes;
        }

        if (update.ContentType is not null)
        {
            body["contentType"] = update.ContentType;
        }

        if (update.Tags is not null)
        {
            body["tags"] = RestMapping.TagsNode(update.Tags);
        }

        return body;
    }
}
