using System.Management.Automation;
using KvArchive.Engine.Storage;
using KvArchive.Engine.Vault;

namespace KvArchive.Commands;

/// <summary>
/// Archive paths, the same way in every cmdlet: relative to PowerShell's current location (not the process's
/// directory); <c>-LiteralPath</c> taken as it is; <c>-Path</c> expands wildcards where an archive is read (each match)
/// and, where one is written, accepts a wildcard only when it matches exactly one existing file. Every bad path is a
/// <see cref="KvException"/> with a stable id (KvArchivePathInvalid, KvArchiveNotFound), never a raw .NET error.
/// An http(s) URL names a blob (Azure Storage, Azurite) and is taken as it is, with no wildcard expansion.
/// </summary>
internal static class KvArchivePath
{
    /// <summary>The archive files to read: one for a literal path or a path without wildcards, each match otherwise.</summary>
    public static IReadOnlyList<string> ResolveForRead(PSCmdlet cmdlet, string path, bool literal)
    {
        if (ArchiveLocation.IsBlob(path))
        {
            return [ArchiveLocation.CheckBlob(path)];
        }

        CheckCharacters(path);
        if (literal || !WildcardPattern.ContainsWildcardCharacters(path))
        {
            return [CheckNotFolder(Unresolved(cmdlet, path, literal))];
        }

        var matches = Matches(cmdlet, path);
        if (matches.Count == 0)
        {
            throw new KvException(KvErrorKind.NotFound, KvErrorIds.ArchiveNotFound, $"No archive matches '{path}'. Wildcard characters ([ ] * ?) in -Path are patterns; use -LiteralPath for a file whose name holds them.");
        }

        return matches.Select(CheckNotFolder).ToList();
    }

    /// <summary>The archive file to write: a literal path, a path without wildcards, or the one file a pattern matches.</summary>
    public static string ResolveForWrite(PSCmdlet cmdlet, string path, bool literal)
    {
        if (ArchiveLocation.IsBlob(path))
        {
            return ArchiveLocation.CheckBlob(path);
        }

        CheckCharacters(path);
        if (literal || !WildcardPattern.ContainsWildcardCharacters(path))
        {
            return Unresolved(cmdlet, path, literal);
        }

        var matches = Matches(cmdlet, path);
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new KvException(KvErrorKind.InvalidArgument, KvErrorIds.ArchivePathInvalid, $"-Path '{path}' holds wildcard characters and matches no file, so it does not say which file to write. Use -LiteralPath to write a file of that name."),
            _ => throw new KvException(KvErrorKind.InvalidArgument, KvErrorIds.ArchivePathInvalid, $"-Path '{path}' matches {matches.Count} files ({string.Join(", ", matches.Take(3))}{(matches.Count > 3 ? ", ..." : string.Empty)}); a backup writes one archive. Name one file, or use -LiteralPath."),
        };
    }

    private static void CheckCharacters(string path)
    {
        var bad = path.IndexOfAny(Path.GetInvalidPathChars());
        if (bad >= 0)
        {
            var shown = path[bad] == '\0' ? "a NUL character" : $"the character U+{(int)path[bad]:X4}";
            throw new KvException(KvErrorKind.InvalidArgument, KvErrorIds.ArchivePathInvalid, $"The archive path holds {shown} at position {bad + 1}, which no file name may hold.");
        }
    }

    private static string Unresolved(PSCmdlet cmdlet, string path, bool literal)
    {
        try
        {
            var full = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
            if (provider.ImplementingType != typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
            {
                throw new KvException(KvErrorKind.InvalidArgument, KvErrorIds.ArchivePathInvalid, $"'{path}' is not a file system path ({provider.Name}); an archive is a file.");
            }

            return full;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PSArgumentException or ProviderNotFoundException or System.Management.Automation.DriveNotFoundException or System.IO.DriveNotFoundException or ProviderInvocationException or ItemNotFoundException)
        {
            throw new KvException(KvErrorKind.InvalidArgument, KvErrorIds.ArchivePathInvalid, $"'{path}' is not a valid archive path{(literal ? string.Empty : " (give it with -LiteralPath if it is meant as it is)")}: {e.Message}", e);
        }
    }

    private static List<string> Matches(PSCmdlet cmdlet, string path)
    {
        try
        {
            var resolved = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out var provider);
            return provider.ImplementingType == typeof(Microsoft.PowerShell.Commands.FileSystemProvider) ? [.. resolved] : [];
        }
        catch (ItemNotFoundException)
        {
            return [];
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PSArgumentException or ProviderNotFoundException or System.Management.Automation.DriveNotFoundException or System.IO.DriveNotFoundException or ProviderInvocationException)
        {
            throw new KvException(KvErrorKind.InvalidArgument, KvErrorIds.ArchivePathInvalid, $"'{path}' is not a valid archive path: {e.Message}", e);
        }
    }

    private static string CheckNotFolder(string path) => Directory.Exists(path)
        ? throw new KvException(KvErrorKind.InvalidArgument, KvErrorIds.ArchivePathInvalid, $"'{path}' is a folder, not an archive file; give the path of a .kva file in it.")
        : path;
}
