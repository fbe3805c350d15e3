using System.Globalization;
using Azure;
using Azure.Storage.Blobs.Models;
using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Storage;

/// <summary>The archives of a blob container, listed with their metadata (one listing request per 5,000 blobs).</summary>
public static class ArchiveContainer
{
    /// <summary>
    /// Lists the blobs of a container URL (<c>https://account.blob.core.windows.net/container</c>, a SAS URL, or
    /// Azurite's) that are archives: those KvArchive committed (they carry its metadata) and any other <c>.kva</c>
    /// blob. <paramref name="prefix"/> limits the listing to names that start with it.
    /// </summary>
    /// <exception cref="KvException">Not a container URL (ArchivePathInvalid), no such container (ArchiveNotFound),
    /// refused (PermissionDenied), no sign-in (Unauthenticated).</exception>
    public static IEnumerable<ArchiveBlobInfo> List(string containerUrl, ArchiveStorageOptions? storage = null, string? prefix = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(containerUrl);
        if (!BlobArchiveAddress.IsBlobUrl(containerUrl))
        {
            throw new KvException(KvErrorKind.InvalidArgument, KvErrorIds.ArchivePathInvalid, $"'{BlobArchiveAddress.Display(containerUrl)}' is not a container URL; give e.g. https://account.blob.core.windows.net/backups.");
        }

        var uri = new Uri(containerUrl);
        var display = uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        var parts = new Azure.Storage.Blobs.BlobUriBuilder(new Uri(display));
        if (string.IsNullOrEmpty(parts.BlobContainerName) || !string.IsNullOrEmpty(parts.BlobName))
        {
            throw new KvException(KvErrorKind.InvalidArgument, KvErrorIds.ArchivePathInvalid, $"'{display}' does not name a container (and only a container); give e.g. https://account.blob.core.windows.net/backups.");
        }

        var client = BlobClients.CreateContainer(uri, storage ?? new ArchiveStorageOptions());

        return Enumerate(client, display, prefix, cancellationToken);
    }

    private static IEnumerable<ArchiveBlobInfo> Enumerate(Azure.Storage.Blobs.BlobContainerClient client, string display, string? prefix, CancellationToken cancellationToken)
    {
        var pages = client.GetBlobs(new GetBlobsOptions { Traits = BlobTraits.Metadata, Prefix = prefix }, cancellationToken).AsPages().GetEnumerator();
        while (true)
        {
            Page<BlobItem> page;
            try
            {
                if (!pages.MoveNext())
                {
                    yield break;
                }

                page = pages.Current;
            }
            catch (Exception e) when (e is RequestFailedException or Azure.Identity.AuthenticationFailedException or IOException or HttpRequestException)
            {
                throw BlobClients.Map(e, display, "listing");
            }

            foreach (var blob in page.Values)
            {
                var metadata = blob.Metadata ?? new Dictionary<string, string>();
                var has = metadata.ContainsKey(ArchiveWriter.BlobMetadata.FormatVersion);
                if (!has && !blob.Name.EndsWith(".kva", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                yield return new ArchiveBlobInfo
                {
                    Path = $"{display}/{string.Join('/', blob.Name.Split('/').Select(Uri.EscapeDataString))}",
                    Name = blob.Name,
                    LastModified = blob.Properties.LastModified,
                    Size = blob.Properties.ContentLength ?? 0,
                    HasMetadata = has,
                    SourceVaults = Get(metadata, ArchiveWriter.BlobMetadata.Vaults) is { } vaults
                        ? vaults.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => Uri.TryCreate(v, UriKind.Absolute, out var u) ? u : null).OfType<Uri>().ToList()
                        : [],
                    SavedCount = Int(metadata, ArchiveWriter.BlobMetadata.Saved),
                    NotSavedCount = Int(metadata, ArchiveWriter.BlobMetadata.NotSaved),
                    FailedCount = Int(metadata, ArchiveWriter.BlobMetadata.Failed),
                    IsComplete = Get(metadata, ArchiveWriter.BlobMetadata.Complete) is { } complete ? string.Equals(complete, "true", StringComparison.OrdinalIgnoreCase) : null,
                    FormatVersion = Get(metadata, ArchiveWriter.BlobMetadata.FormatVersion),
                    CompletedOn = DateTimeOffset.TryParse(Get(metadata, ArchiveWriter.BlobMetadata.CompletedOn), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var on) ? on : null,
                };
            }
        }
    }

    private static string? Get(IDictionary<string, string> metadata, string name) => metadata.TryGetValue(name, out var value) ? value : null;

    private static int? Int(IDictionary<string, string> metadata, string name)
        => int.TryParse(Get(metadata, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
}
