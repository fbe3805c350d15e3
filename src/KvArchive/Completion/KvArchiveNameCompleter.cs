using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;

namespace KvArchive.Completion;

/// <summary>Completes -Name from the entries of the archive that -Path names (read offline, kept briefly).</summary>
public sealed class KvArchiveNameCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        if (KvNameCompleter.Unwrap(fakeBoundParameters["Path"]) is not string path || string.IsNullOrWhiteSpace(path))
        {
            return [];
        }

        var full = Resolve(path);
        var names = NameCache.GetOrList($"archive|{full}|{File.GetLastWriteTimeUtc(full):O}", () => ArchiveNames.List(full));
        return NameCache.Complete(names, wordToComplete);
    }

    private static string Resolve(string path)
    {
        if (System.IO.Path.IsPathRooted(path))
        {
            return path;
        }

        try
        {
            // Relative to the session's location, as the cmdlets resolve it (not the process's directory).
            var here = Runspace.DefaultRunspace?.SessionStateProxy.Path.CurrentFileSystemLocation.ProviderPath;
            return System.IO.Path.GetFullPath(System.IO.Path.Combine(here ?? Environment.CurrentDirectory, path));
        }
        catch (Exception e) when (e is PSInvalidOperationException or InvalidOperationException or ArgumentException)
        {
            return System.IO.Path.GetFullPath(path);
        }
    }
}
