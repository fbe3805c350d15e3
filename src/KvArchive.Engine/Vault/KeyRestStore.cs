using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;

namespace KvArchive.Engine.Vault;

/// <summary>
/// Keys through the keys REST API (api-version 2026-04-01) on Azure.Core's pipeline, since the Keys package is not
/// available. Only key management: no cryptographic operations and no key material leaves the vault.
/// </summary>
internal sealed class KeyRestStore(VaultRestClient rest) : IKeyStore
{
    private VaultIdentity Vault => rest.Vault;

    public KvObjectType Type => KvObjectType.Key;

    public async IAsyncEnumerable<KvObject> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (item, listedAt) in rest.ListWithClockAsync("keys", cancellationToken).ConfigureAwait(false))
        {
            yield return ListingClock.Stamp(RestMapping.ToKey(item, Vault), listedAt);
        }
    }

    public async IAsyncEnumerable<KvObject> ListVersionsAsync(string name, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in rest.ListAsync($"keys/{Escape(name)}/versions", cancellationToken).ConfigureAwait(false))
        {
            yield return RestMapping.ToKey(item, Vault);
        }
    }

    public async IAsyncEnumerable<KvObject> ListDeletedAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in rest.ListAsync("deletedkeys", cancellationToken).ConfigureAwait(false))
        {
            yield return KvObjectMapping.AsDeleted(RestMapping.ToKey(item, Vault), null, null, null);
        }
    }

    public Task<KvObject> GetAsync(string name, string? version, CancellationToken cancellationToken)
        => SendForKeyAsync(RequestMethod.Get, $"keys/{Escape(name)}/{Escape(version ?? string.Empty)}", null, cancellationToken);

    public async Task<KvObject> GetDeletedAsync(string name, CancellationToken cancellationToken)
        => KvObjectMapping.AsDeleted(await SendForKeyAsync(RequestMethod.Get, $"deletedkeys/{Escape(name)}", null, cancellationToken).ConfigureAwait(false), null, null, null);

    public async Task<KvObject> UpdateAsync(string name, string? version, KvPropertyUpdate update, CancellationToken cancellationToken)
    {
        if (update.ContentType is not null)
        {
            throw new KvException(KvErrorKind.InvalidArgument, KvErrorIds.InvalidArgument, $"Key '{name}': a content type belongs to secrets only; keys have none.")
            {
                ObjectType = KvObjectType.Key,
                ObjectName = name,
            };
        }

        version ??= (await GetAsync(name, null, cancellationToken).ConfigureAwait(false)).Version
            ?? throw new InvalidOperationException($"Vault '{Vault.Name}' returned key '{name}' without a version.");
        if (DateClearing.Requested(update))
        {
            var cleared = await DateClearing.ClearAsync(rest, KvObjectType.Key, name, version, update, RestMapping.ToKey, cancellationToken).ConfigureAwait(false);
            update = DateClearing.Remainder(update);
            if (!DateClearing.Changes(update))
            {
                return cleared;
            }
        }

        var body = new JsonObject();
        var attributes = RestMapping.UpdateAttributes(update);
        if (attributes.Count > 0)
        {
            body["attributes"] = attributes;
        }

        if (update.Tags is not null)
        {
            body["tags"] = RestMapping.TagsNode(update.Tags);
        }

        return await SendForKeyAsync(RequestMethod.Patch, $"keys/{Escape(name)}/{Escape(version)}", body, cancellationToken).ConfigureAwait(false);
    }

    public async Task<KvObject> DeleteAsync(string name, CancellationToken cancellationToken)
        => KvObjectMapping.AsDeleted(await SendForKeyAsync(RequestMethod.Delete, $"keys/{Escape(name)}", null, cancellationToken).ConfigureAwait(false), null, null, null);

    public async Task RecoverAsync(string name, CancellationToken cancellationToken)
    {
        using var _ = await rest.SendAsync(RequestMethod.Post, $"deletedkeys/{Escape(name)}/recover", null, cancellationToken).ConfigureAwait(false);
    }

    public async Task PurgeAsync(string name, CancellationToken cancellationToken)
    {
        using var _ = await rest.SendAsync(RequestMethod.Delete, $"deletedkeys/{Escape(name)}", null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<byte[]> BackupAsync(string name, CancellationToken cancellationToken)
    {
        using var answer = await rest.SendAsync(RequestMethod.Post, $"keys/{Escape(name)}/backup", null, cancellationToken).ConfigureAwait(false);
        if (answer is null
            || !answer.RootElement.TryGetProperty("value", out var value)
            || value.ValueKind != JsonValueKind.String)
        {
            throw new InvalidOperationException($"Vault '{Vault.Name}' answered the backup of key '{name}' without a blob.");
        }

        return Base64Url.Decode(value.GetString()!);
    }

    public Task<KvObject> RestoreAsync(ReadOnlyMemory<byte> blob, CancellationToken cancellationToken)
        => SendForKeyAsync(RequestMethod.Post, "keys/restore", new JsonObject { ["value"] = Base64Url.Encode(blob.Span) }, cancellationToken);

    public Task<KvObject> CreateAsync(string name, KvKeyCreateOptions options, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["kty"] = options.KeyType };
        if (options.KeySize is { } size)
        {
            body["key_size"] = size;
        }

        if (!string.IsNullOrEmpty(options.CurveName))
        {
            body["crv"] = options.CurveName;
        }

        if (options.KeyOperations is not null)
        {
            body["key_ops"] = new JsonArray(options.KeyOperations.Select(o => (JsonNode?)JsonValue.Create(o)).ToArray());
        }

        var attributes = new JsonObject { ["enabled"] = options.Enabled };
        if (options.ExpiresOn is { } exp)
        {
            attributes["exp"] = exp.ToUnixTimeSeconds();
        }

        if (options.NotBefore is { } nbf)
        {
            attributes["nbf"] = nbf.ToUnixTimeSeconds();
        }

        body["attributes"] = attributes;
        if (options.Tags is not null)
        {
            body["tags"] = RestMapping.TagsNode(options.Tags);
        }

        return SendForKeyAsync(RequestMethod.Post, $"keys/{Escape(name)}/create", body, cancellationToken);
    }

    private async Task<KvObject> SendForKeyAsync(RequestMethod method, string path, JsonNode? body, CancellationToken cancellationToken)
    {
        using var answer = await rest.SendAsync(method, path, body, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Vault '{Vault.Name}' answered {method} {path} without a body.");
        return RestMapping.ToKey(answer.RootElement, Vault);
    }

    private static string Escape(string segment) => Uri.EscapeDataString(segment);
}
