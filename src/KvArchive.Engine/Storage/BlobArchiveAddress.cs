using Azure.Storage.Blobs;

namespace KvArchive.Engine.Storage;

/// <summary>
/// An archive path that names a blob: <c>https://account.blob.core.windows.net/container/name.kva</c>, or the
/// path style of Azurite and IP endpoints, <c>http://127.0.0.1:10000/devstoreaccount1/container/name.kva</c>.
/// <see cref="DisplayPath"/> is the URL without its query, so a SAS signature never reaches output or errors.
/// </summary>
internal sealed class BlobArchiveAddress
{
    private BlobArchiveAddress(Uri uri, string displayPath, string account, string container, string blobName, bool hasSas)
    {
        Uri = uri;
        DisplayPath = displayPath;
        AccountName = account;
        ContainerName = container;
        BlobName = blobName;
        HasSas = hasSas;
    }

    /// <summary>The URL as given (with its SAS, when it has one).</summary>
    public Uri Uri { get; }

    /// <summary>The URL without its query: what messages and items show.</summary>
    public string DisplayPath { get; }

    /// <summary>The storage account's name.</summary>
    public string AccountName { get; }

    /// <summary>The container's name.</summary>
    public string ContainerName { get; }

    /// <summary>The blob's name in the container.</summary>
    public string BlobName { get; }

    /// <summary>Whether the query is a shared access signature (holds <c>sig=</c>).</summary>
    public bool HasSas { get; }

    /// <summary>The URL without query (the blob's own address).</summary>
    public Uri BlobUri => new(DisplayPath);

    /// <summary>Whether the host is the local machine (Azurite).</summary>
    public bool IsLoopback => Uri.IsLoopback || Uri.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);

    /// <summary>True for an absolute http or https URL: an archive path that names a blob rather than a file.</summary>
    public static bool IsBlobUrl(string? path)
        => path is not null
           && (path.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || path.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
           && Uri.TryCreate(path, UriKind.Absolute, out _);

    /// <summary>An archive path made absolute: a blob URL as it is (with its SAS), a file path through <see cref="Path.GetFullPath(string)"/>.</summary>
    public static string FullPath(string path) => IsBlobUrl(path) ? path : Path.GetFullPath(path);

    /// <summary>
    /// What an archive path is shown as: a blob URL without its query (never its SAS, even when the URL names no blob),
    /// a file path as it is. Never throws: it names the path in the error about it.
    /// </summary>
    public static string Display(string path)
        => IsBlobUrl(path) && Uri.TryCreate(path, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Path) : path;

    /// <summary>Parses a blob URL; a URL that names no container and blob is an InvalidArgument error.</summary>
    public static BlobArchiveAddress Parse(string path)
    {
        if (!Uri.TryCreate(path, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw Invalid(path, "it is not an http(s) URL");
        }

        var display = uri.GetLeftPart(UriPartial.Path);
        BlobUriBuilder parts;
        try
        {
            parts = new BlobUriBuilder(new Uri(display));
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw Invalid(display, e.Message);
        }

        if (string.IsNullOrEmpty(parts.BlobContainerName) || string.IsNullOrEmpty(parts.BlobName) || parts.BlobName.EndsWith('/'))
        {
            throw Invalid(display, "it names no container and blob (give e.g. https://account.blob.core.windows.net/backups/vault.kva)");
        }

        var account = parts.AccountName ?? string.Empty;
        var hasSas = uri.Query.Contains("sig=", StringComparison.OrdinalIgnoreCase);
        return new BlobArchiveAddress(uri, display, account, parts.BlobContainerName, parts.BlobName, hasSas);
    }

    /// <inheritdoc />
    public override string ToString() => DisplayPath;

    private static KvArchive.Engine.Vault.KvException Invalid(string shown, string why)
        => new(KvArchive.Engine.Vault.KvErrorKind.InvalidArgument, KvArchive.Engine.Vault.KvErrorIds.ArchivePathInvalid, $"'{StripQuery(shown)}' is not a blob archive address: {why}.");

    private static string StripQuery(string text)
    {
        var q = text.IndexOf('?', StringComparison.Ordinal);
        return q < 0 ? text : text[..q];
    }
}
