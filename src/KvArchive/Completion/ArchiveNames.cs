using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Completion;

/// <summary>The entry names of an archive, for completion.</summary>
internal static class ArchiveNames
{
    public static string[]? List(string path)
    {
        if (Engine.Storage.ArchiveLocation.IsBlob(path))
        {
            // Completion sends no request: a blob would need a sign-in at every Tab.
            return null;
        }

        try
        {
            using var reader = ArchiveReader.Open(path);
            return reader.Items.Select(i => i.Name).ToArray();
        }
        catch (KvException)
        {
            return null;
        }
    }
}
