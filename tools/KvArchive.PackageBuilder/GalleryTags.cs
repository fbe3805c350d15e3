using System.Management.Automation;

namespace KvArchive.PackageBuilder;

/// <summary>
/// The tags the PowerShell Gallery searches by, as PowerShellGet computes them when it publishes a module:
/// PSModule, the manifest's own PSData.Tags, PSEdition_* from CompatiblePSEditions, PSIncludes_Cmdlet and
/// PSCmdlet_*/PSCommand_* for every exported cmdlet (PSIncludes_Function and PSFunction_* likewise), all taken
/// from the manifest itself, so no second list of commands exists.
/// </summary>
internal static class GalleryTags
{
    /// <summary>The tags of a manifest, first occurrence kept, in the order above.</summary>
    public static IReadOnlyList<string> For(ModuleManifest manifest)
    {
        var cmdlets = Literal(manifest, "CmdletsToExport");
        var functions = Literal(manifest, "FunctionsToExport");

        var tags = new List<string> { "PSModule" };
        tags.AddRange(manifest.GetPSDataStrings("Tags"));
        tags.AddRange(manifest.GetStrings("CompatiblePSEditions").Select(e => "PSEdition_" + e));
        if (cmdlets.Count > 0)
        {
            tags.Add("PSIncludes_Cmdlet");
            tags.AddRange(cmdlets.Select(c => "PSCmdlet_" + c));
        }

        if (functions.Count > 0)
        {
            tags.Add("PSIncludes_Function");
            tags.AddRange(functions.Select(f => "PSFunction_" + f));
        }

        tags.AddRange(cmdlets.Concat(functions).Select(c => "PSCommand_" + c));

        foreach (var tag in tags.Where(t => t.Any(char.IsWhiteSpace)))
        {
            throw new PackageException(manifest.Path, $"the tag '{tag}' contains white space; NuGet tags are separated by spaces.");
        }

        return tags.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    private static IReadOnlyList<string> Literal(ModuleManifest manifest, string key)
    {
        var names = manifest.GetStrings(key);
        foreach (var name in names.Where(WildcardPattern.ContainsWildcardCharacters))
        {
            throw new PackageException(manifest.Path, $"{key} has the wildcard '{name}'; list every command by name (the Gallery tags each one).");
        }

        return names;
    }
}
