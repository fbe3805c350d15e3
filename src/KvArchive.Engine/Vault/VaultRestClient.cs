using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace KvArchive.Engine.Vault;

/// <summary>
/// Calls the Key Vault REST API over an Azure.Core pipeline (challenge auth, retries, observer), JSON in and out.
/// Failures are thrown as <see cref="RequestFailedException"/> carrying the response, for <see cref="KvErrorMapper"/>.
/// </summary>
internal sealed class VaultRestClient(HttpPipeline pipeline, VaultIdentity vault)
{
    /// <summary>The REST api-version, the default of the Secrets 4.12 and Certificates 4.10 packages.</summary>
    public const string ApiVersion = "2026-04-01";

    /// <summary>Page size of lists (the service's maximum).</summary>
    public const int PageSize = 25;

    public VaultIdentity Vault { get; } = vault;

    /// <summary>Sends a request to a vault path (e.g. "keys/x/create") and returns the JSON answer (null for 204).</summary>
    public async Task<JsonDocument?> SendAsync(RequestMethod method, string path, JsonNode? body, CancellationToken cancellationToken, string? query = null)
    {
        var uri = Vault.Resolve(path + "?api-version=" + ApiVersion + (query is null ? string.Empty : "&" + query));
        return await SendAsync(method, uri, body, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Streams the items of a paged list, following nextLink until it is null (pages may be short or empty).</summary>
    public async IAsyncEnumerable<JsonElement> ListAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (item, _) in ListWithClockAsync(path, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    /// <summary>As <see cref="ListAsync"/>, each item with its page's <see cref="ListingClock"/>.</summary>
    public async IAsyncEnumerable<(JsonElement Item, DateTimeOffset? ListedAt)> ListWithClockAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Uri? next = Vault.Resolve(path + "?api-version=" + ApiVersion + "&maxresults=" + PageSize);
        while (next is not null)
        {
            var (page, listedAt) = await SendWithClockAsync(RequestMethod.Get, next, cancellationToken).ConfigureAwait(false);
            using var document = page;
            if (page is null)
            {
                yield break;
            }

            var root = page.RootElement;
            if (root.TryGetProperty("value", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in items.EnumerateArray())
                {
                    // Clone: the page's document is disposed when the next page is fetched.
                    yield return (item.Clone(), listedAt);
                }
            }

            next = root.TryGetProperty("nextLink", out var link) && link.ValueKind == JsonValueKind.String
                ? CheckNextLink(link.GetString())
                : null;
        }
    }

    private async Task<JsonDocument?> SendAsync(RequestMethod method, Uri uri, JsonNode? body, CancellationToken cancellationToken)
        => (await SendWithClockAsync(method, uri, cancellationToken, body).ConfigureAwait(false)).Document;

    private async Task<(JsonDocument? Document, DateTimeOffset? ListedAt)> SendWithClockAsync(RequestMethod method, Uri uri, CancellationToken cancellationToken, JsonNode? body = null)
    {
        using var message = pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(uri);
        request.Headers.Add("Accept", "application/json");
        if (body is not null)
        {
            request.Headers.Add("Content-Type", "application/json");
            request.Content = RequestContent.Create(JsonSerializer.SerializeToUtf8Bytes(body));
        }

        await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.IsError)
        {
            throw new RequestFailedException(response);
        }

        var listedAt = ListingClock.Of(response);
        if (response.Status == 204)
        {
            return (null, listedAt);
        }

        var content = response.Content;
        if (content is null || content.ToMemory().IsEmpty)
        {
            return (null, listedAt);
        }

        return (JsonDocument.Parse(content.ToMemory()), listedAt);
    }

    private Uri? CheckNextLink(string? link)
    {
        if (string.IsNullOrEmpty(link))
        {
            return null;
        }

        // A token must never follow a link to another host.
        if (!Uri.TryCreate(link, UriKind.Absolute, out var next)
            || !string.Equals(next.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(next.Host, Vault.Uri.Host, StringComparison.OrdinalIgnoreCase)
            || next.Port != Vault.Uri.Port)
        {
            throw new InvalidOperationException($"Vault '{Vault.Name}' returned a next-page link outside the vault; the listing was stopped.");
        }

        if (!next.Query.Contains("api-version=", StringComparison.OrdinalIgnoreCase))
        {
            next = new Uri(next + (string.IsNullOrEmpty(next.Query) ? "?" : "&") + "api-version=" + ApiVersion);
        }

        return next;
    }
}
