using System.Xml.Linq;

namespace KvArchive.PackageBuilder;

/// <summary>
/// The nuspec of a PowerShell Gallery module package, with the elements Publish-PSResource writes from the same
/// manifest fields (id from the file name, version from ModuleVersion and PSData.Prerelease, authors from Author,
/// owners from CompanyName, licenseUrl/projectUrl/iconUrl from PSData, ...). The files element takes the whole
/// staged module folder to the package root, where PowerShellGet and PSResourceGet expect a module.
/// </summary>
internal static class Nuspec
{
    /// <summary>The nuspec schema PSResourceGet writes.</summary>
    public static readonly XNamespace Namespace = "http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd";

    /// <summary>The readme at the package root (NuGet warns about a package without one).</summary>
    public const string ReadmeFile = "README.md";

    /// <summary>The package version of a manifest: ModuleVersion, with PSData.Prerelease as its suffix if set.</summary>
    public static string PackageVersion(ModuleManifest manifest)
    {
        var version = Required(manifest, manifest.GetString("ModuleVersion"), "ModuleVersion");
        return manifest.GetPSDataString("Prerelease") is { } pre ? $"{version}-{pre}" : version;
    }

    /// <summary>Builds the nuspec; fails when a field the Gallery shows is missing from the manifest.</summary>
    public static XDocument Create(ModuleManifest manifest, string releaseNotes, IReadOnlyList<string> tags)
    {
        var metadata = new XElement(Namespace + "metadata",
            Element("id", manifest.Name),
            Element("version", PackageVersion(manifest)),
            Element("authors", Required(manifest, manifest.GetString("Author"), "Author")),
            Element("owners", manifest.GetString("CompanyName") ?? manifest.GetString("Author")),
            Element("requireLicenseAcceptance", (manifest.GetPSDataString("RequireLicenseAcceptance") ?? "false").ToLowerInvariant()),
            Element("licenseUrl", Required(manifest, manifest.GetPSDataString("LicenseUri"), "PrivateData.PSData.LicenseUri")),
            Element("projectUrl", Required(manifest, manifest.GetPSDataString("ProjectUri"), "PrivateData.PSData.ProjectUri")),
            Element("iconUrl", manifest.GetPSDataString("IconUri")),
            Element("description", Required(manifest, manifest.GetString("Description"), "Description")),
            Element("readme", ReadmeFile),
            Element("releaseNotes", releaseNotes),
            Element("copyright", manifest.GetString("Copyright")),
            Element("tags", string.Join(' ', tags)));

        // Strings or hashtables alike count: anything listed would have to become a <dependency>.
        if (manifest.GetStrings("RequiredModules").Count > 0)
        {
            throw new PackageException(manifest.Path, "RequiredModules would become package dependencies; the package builder does not write them yet.");
        }

        var files = new XElement(Namespace + "files", new XElement(Namespace + "file", new XAttribute("src", "**"), new XAttribute("target", "")));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), new XElement(Namespace + "package", metadata, files));
    }

    private static XElement? Element(string name, string? value) => value is null ? null : new XElement(Namespace + name, value);

    private static string Required(ModuleManifest manifest, string? value, string field)
        => value ?? throw new PackageException(manifest.Path, $"{field} is empty; the PowerShell Gallery needs it.");
}
