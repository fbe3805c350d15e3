namespace KvArchive.Engine.Storage;

/// <summary>What an archive path names: a local file, or a blob (an http or https URL).</summary>
public static class ArchiveLocation
{
    /// <summary>True when <paramref name="path"/> is an http(s) URL: the archive is a blob in Azure Storage (or Azurite).</summary>
    public static bool IsBlob(string? path) => BlobArchiveAddress.IsBlobUrl(path);

    /// <summary>
    /// Checks a blob URL names a container and a blob and returns it as given; throws <see cref="Vault.KvException"/>
    /// (ArchivePathInvalid) otherwise. The message never shows a SAS signature.
    /// </summary>
    public static string CheckBlob(string url)
    {
        _ = BlobArchiveAddress.Parse(url);
        return url;
    }

    /// <summary>How an archive path is shown: a blob URL without its query (no SAS), a file path as it is.</summary>
    public static string Display(string path) => BlobArchiveAddress.Display(path);
}
