using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using KvArchive.Engine.Connection;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Storage;

/// <summary>
/// Builds the blob clients of an archive address (how each one signs in: see <see cref="ArchiveStorageOptions"/>)
/// and maps storage failures to <see cref="KvException"/>s that name the blob and what to do.
/// </summary>
internal static class BlobClients
{
    // Azurite's development account: its key is published in Azurite's documentation, and only a local emulator accepts it.
    private const string DevelopmentAccount = "devstoreaccount1";
    private const string DevelopmentKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The block blob client of an archive.</summary>
    public static BlockBlobClient Create(BlobArchiveAddress address, ArchiveStorageOptions options)
    {
        var clientOptions = Configure(new BlobClientOptions(), options);
        if (address.HasSas)
        {
            return new BlockBlobClient(address.Uri, clientOptions);
        }

        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            BlockBlobClient client;
            try
            {
                client = new BlockBlobClient(options.ConnectionString, address.ContainerName, address.BlobName, clientOptions);
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                // The connection string's own text is never shown: it holds the account key.
                throw new KvException(KvErrorKind.InvalidArgument, KvErrorIds.InvalidArgument, $"The storage connection string ({ArchiveStorageOptions.ConnectionStringVariable}) cannot be read; give it as 'DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…;BlobEndpoint=…'.");
            }

            if (!string.Equals(client.Uri.GetLeftPart(UriPartial.Path).TrimEnd('/'), address.DisplayPath.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
            {
                throw new KvException(KvErrorKind.InvalidArgument, KvErrorIds.ArchivePathInvalid, $"The storage connection string ({ArchiveStorageOptions.ConnectionStringVariable}) is for another account or endpoint than '{address.DisplayPath}' (it addresses '{client.Uri.GetLeftPart(UriPartial.Path)}'); give the URL of that account, or the connection string of this one.");
            }

            return client;
        }

        if (address.IsLoopback && string.Equals(address.AccountName, DevelopmentAccount, StringComparison.Ordinal))
        {
            return new BlockBlobClient(address.BlobUri, new StorageSharedKeyCredential(DevelopmentAccount, DevelopmentKey), clientOptions);
        }

        if (address.BlobUri.Scheme != Uri.UriSchemeHttps)
        {
            throw new KvException(KvErrorKind.InvalidArgument, KvErrorIds.ArchivePathInvalid, $"'{address.DisplayPath}' is a plain http URL; Microsoft Entra sign-in needs https. Use the https address, a SAS URL, or a storage connection string ({ArchiveStorageOptions.ConnectionStringVariable}).");
        }

        return new BlockBlobClient(address.BlobUri, Credential(options), clientOptions);
    }

    /// <summary>The container client of a container URL (for listing archives).</summary>
    public static BlobContainerClient CreateContainer(Uri containerUri, ArchiveStorageOptions options)
    {
        var clientOptions = Configure(new BlobClientOptions(), options);
        var display = containerUri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        var parts = new BlobUriBuilder(new Uri(display));
        if (containerUri.Query.Contains("sig=", StringComparison.OrdinalIgnoreCase))
        {
            return new BlobContainerClient(containerUri, clientOptions);
        }

        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new BlobContainerClient(options.ConnectionString, parts.BlobContainerName, clientOptions);
        }

        var loopback = containerUri.IsLoopback || containerUri.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
        if (loopback && string.Equals(parts.AccountName, DevelopmentAccount, StringComparison.Ordinal))
        {
            return new BlobContainerClient(new Uri(display), new StorageSharedKeyCredential(DevelopmentAccount, DevelopmentKey), clientOptions);
        }

        return new BlobContainerClient(new Uri(display), Credential(options), clientOptions);
    }

    /// <summary>
    /// A storage failure as a <see cref="KvException"/> naming the blob: not found, refused (with the role to grant),
    /// a condition or an immutability policy that keeps the blob (with what to do), or a transport failure.
    /// </summary>
    public static KvException Map(Exception e, string blob, string doing)
    {
        switch (e)
        {
            case KvException kv:
                return kv;
            case RequestFailedException r when r.Status == 404:
                return new KvException(KvErrorKind.NotFound, KvErrorIds.ArchiveNotFound, r.ErrorCode == "ContainerNotFound"
                    ? $"The container of '{blob}' does not exist; create it or check the URL."
                    : $"The archive '{blob}' does not exist; check the URL.", e);
            case RequestFailedException r when r.Status is 401 or 403:
                return new KvException(KvErrorKind.PermissionDenied, KvErrorIds.PermissionDenied, $"Storage refused {doing} '{blob}' ({r.Status} {r.ErrorCode}). Give the identity the 'Storage Blob Data Contributor' role on the container (reading needs 'Storage Blob Data Reader'), or use a SAS URL that allows it.", e);
            case RequestFailedException r when r.ErrorCode is "BlobImmutableDueToPolicy" or "BlobImmutableDueToLegalHold" || (r.Status == 409 && (r.ErrorCode ?? string.Empty).Contains("Immutable", StringComparison.OrdinalIgnoreCase)):
                return new KvException(KvErrorKind.Conflict, KvErrorIds.ArchiveExists, $"The archive '{blob}' is kept by an immutability policy or legal hold on its container ({r.ErrorCode}), so it cannot be replaced. Nothing was written; back up to a new blob name (e.g. with the date in it).", e);
            case RequestFailedException r when r.Status is 409 or 412:
                return new KvException(KvErrorKind.Conflict, KvErrorIds.ArchiveExists, $"The archive '{blob}' was created or changed by someone else ({r.Status} {r.ErrorCode}) while this ran. Nothing was written; run again with another blob name, or replace it on purpose.", e);
            case RequestFailedException r:
                return new KvException(r.Status >= 500 || r.Status == 0 ? KvErrorKind.Connection : KvErrorKind.Unknown, KvErrorIds.ArchiveWriteFailed, $"Storage failed {doing} '{blob}': {r.Status} {r.ErrorCode}. Nothing was committed; run again.", e);
            case Azure.Identity.AuthenticationFailedException a:
                return new KvException(KvErrorKind.Unauthenticated, KvErrorIds.Unauthenticated, $"Could not sign in to storage for '{blob}': {a.Message} Use a managed identity or credential with access, a SAS URL, or a storage connection string ({ArchiveStorageOptions.ConnectionStringVariable}).", e);
            default:
                return new KvException(KvErrorKind.Connection, KvErrorIds.ArchiveWriteFailed, $"Storage could not be reached {doing} '{blob}': {e.Message} Nothing was committed; run again.", e);
        }
    }

    private static BlobClientOptions Configure(BlobClientOptions clientOptions, ArchiveStorageOptions options)
    {
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = Math.Max(0, options.MaxRetries);
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(200);
        clientOptions.Retry.MaxDelay = TimeSpan.FromSeconds(30);
        clientOptions.Retry.NetworkTimeout = options.NetworkTimeout;
        clientOptions.Diagnostics.ApplicationId = "KvArchive";
        clientOptions.Diagnostics.IsLoggingContentEnabled = false;
        foreach (var policy in options.Policies)
        {
            clientOptions.AddPolicy(policy, HttpPipelinePosition.PerRetry);
        }

        return clientOptions;
    }

    private static TokenCredential Credential(ArchiveStorageOptions options)
    {
        if (options.CredentialKind == KvCredentialKind.AccessToken)
        {
            throw new KvException(KvErrorKind.Unauthenticated, KvErrorIds.Unauthenticated, $"An access token is for Key Vault and cannot sign storage requests; use a SAS URL, a storage connection string ({ArchiveStorageOptions.ConnectionStringVariable}), or another credential kind.");
        }

        return CredentialFactory.Create(
            new VaultConnectionOptions
            {
                VaultUri = new Uri("https://storage.invalid/"),
                CredentialKind = options.CredentialKind,
                TenantId = options.TenantId,
                ClientId = options.ClientId,
                ClientSecret = options.ClientSecret,
                ManagedIdentityClientId = options.ManagedIdentityClientId,
            },
            HttpClientTransport.Shared);
    }
}
