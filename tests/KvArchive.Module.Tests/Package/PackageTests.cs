using System.Collections;
using System.IO.Compression;
using System.Text.RegularExpressions;

namespace KvArchive.Module.Tests.Package;

/// <summary>
/// dotnet pack src/KvArchive writes a PowerShell Gallery package: the module at the package root as
/// PowerShellGet/PSResourceGet lay it out, nuspec metadata and tags from the built manifest, release notes from
/// CHANGELOG.md, the packaged manifest's PSData saying the same, and the extracted package imports.
/// </summary>
public sealed class PackageTests(PackageFixture package) : IClassFixture<PackageFixture>
{
    private string PackagedManifestPath => Path.Combine(package.ExtractedDirectory, "KvArchive.psd1");

    private static Hashtable PSData(Hashtable manifest) => (Hashtable)((Hashtable)manifest["PrivateData"]!)["PSData"]!;

    private static IReadOnlyList<string> Strings(object? value) => value switch
    {
        null => [],
        string s => [s],
        IEnumerable e => e.Cast<object>().Select(o => o.ToString()!).ToList(),
        _ => [value.ToString()!],
    };

    private static string Lf(string s) => s.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();

    [Fact]
    public void Pack_writes_one_package_named_by_id_and_the_central_version()
    {
        var written = Directory.GetFiles(package.OutputDirectory).Select(f => Path.GetFileName(f)!).ToArray();
        Assert.Equal([$"KvArchive.{package.Version}.nupkg"], written);
        Assert.Contains("PowerShell Gallery package:", package.PackLog, StringComparison.Ordinal);
    }

    [Fact]
    public void Nuspec_has_the_gallery_metadata()
    {
        Assert.Equal("KvArchive", package.Metadata("id"));
        Assert.Equal(package.Version, package.Metadata("version"));
        Assert.False(string.IsNullOrWhiteSpace(package.Metadata("description")));
        Assert.False(string.IsNullOrWhiteSpace(package.Metadata("authors")));
        Assert.Equal("false", package.Metadata("requireLicenseAcceptance"));
        Assert.Matches("^https://.+/LICENSE$", package.Metadata("licenseUrl") ?? string.Empty);
        Assert.StartsWith("https://", package.Metadata("projectUrl"), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(package.Metadata("copyright")));

        // The release notes are the CHANGELOG.md section of this version.
        var notes = package.Metadata("releaseNotes");
        Assert.False(string.IsNullOrWhiteSpace(notes));
        var changelog = Lf(File.ReadAllText(Path.Combine(package.RepoRoot, "CHANGELOG.md")));
        var section = Regex.Match(changelog, @"^## \[" + Regex.Escape(package.Version) + @"\][^\n]*\n(?<body>.*?)(?=^## |\z)", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(section.Success, $"CHANGELOG.md has no section for {package.Version}");
        Assert.StartsWith(Lf(notes!), Lf(section.Groups["body"].Value), StringComparison.Ordinal);

        // MIT, as LICENSE says (shipped in the package too).
        Assert.StartsWith("MIT License", File.ReadAllText(Path.Combine(package.RepoRoot, "LICENSE")), StringComparison.Ordinal);
    }

    [Fact]
    public void Tags_name_every_exported_cmdlet_of_the_manifest()
    {
        var manifest = PackageFixture.ReadManifest(PackagedManifestPath);
        var cmdlets = Strings(manifest["CmdletsToExport"]);
        Assert.NotEmpty(cmdlets);

        var tags = package.Tags;
        Assert.Equal("PSModule", tags[0]);
        Assert.Contains("PSIncludes_Cmdlet", tags);
        Assert.Contains("PSEdition_Core", tags);
        foreach (var cmdlet in cmdlets)
        {
            Assert.Contains("PSCmdlet_" + cmdlet, tags);
            Assert.Contains("PSCommand_" + cmdlet, tags);
        }

        // Nothing advertised that the manifest does not export; the manifest's own tags all kept.
        var commandTags = tags.Where(t => t.StartsWith("PSCmdlet_", StringComparison.Ordinal) || t.StartsWith("PSCommand_", StringComparison.Ordinal));
        Assert.Equal(cmdlets.Count * 2, commandTags.Count());
        Assert.Empty(Strings(PSData(manifest)["Tags"]).Except(tags));
        Assert.Equal(tags.Count, tags.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void Module_files_sit_at_the_package_root_exactly_as_built()
    {
        var entries = package.Entries;
        foreach (var file in new[]
        {
            "KvArchive.psd1", "KvArchive.dll", "KvArchive.format.ps1xml", "LICENSE", "README.md", "en-US/KvArchive.dll-Help.xml",
            "en-US/about_KvArchive.help.txt", "en-US/about_KvArchive_ArchiveFormat.help.txt",
            "Dependencies/KvArchive.Engine.dll", "Dependencies/KvArchive.Engine.deps.json", "Dependencies/Azure.Core.dll",
            "Dependencies/Azure.Storage.Blobs.dll", "Dependencies/Azure.Storage.Common.dll", "Dependencies/System.IO.Hashing.dll",
        })
        {
            Assert.Contains(file, entries);
        }

        foreach (var folder in new[] { "lib/", "ref/", "content/", "contentFiles/", "tools/", "build/", "runtimes/" })
        {
            Assert.DoesNotContain(entries, e => e.StartsWith(folder, StringComparison.OrdinalIgnoreCase));
        }

        Assert.DoesNotContain(entries, e => e.EndsWith("System.Management.Automation.dll", StringComparison.OrdinalIgnoreCase));

        // No symbol files: they are embedded, with repository-relative paths.
        Assert.DoesNotContain(entries, e => e.EndsWith(".pdb", StringComparison.OrdinalIgnoreCase));

        // Every file of the layout the pack built, at the same path; nothing else but the license and the readme.
        var layout = Directory.GetFiles(package.LayoutDirectory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(package.LayoutDirectory, f).Replace('\\', '/')).Order(StringComparer.Ordinal);
        var module = entries.Where(e => !PackageFixture.IsNuGetPart(e) && e is not "LICENSE" and not "README.md").Order(StringComparer.Ordinal);
        Assert.Equal(layout, module);

        using var zip = ZipFile.OpenRead(package.PackagePath);
        using var built = File.OpenRead(Path.Combine(package.LayoutDirectory, "KvArchive.dll"));
        using var packed = zip.GetEntry("KvArchive.dll")!.Open();
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(built)), Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(packed)));
    }

    [Fact]
    public void Packaged_manifest_PSData_agrees_with_the_nuspec()
    {
        var manifest = PackageFixture.ReadManifest(PackagedManifestPath);
        var psData = PSData(manifest);
        Assert.Equal(package.Version, manifest["ModuleVersion"]);
        Assert.Equal(package.Metadata("description"), manifest["Description"]);
        Assert.Equal(package.Metadata("authors"), manifest["Author"]);
        Assert.Equal(package.Metadata("copyright"), manifest["Copyright"]);
        Assert.Equal(package.Metadata("licenseUrl"), psData["LicenseUri"]);
        Assert.Equal(package.Metadata("projectUrl"), psData["ProjectUri"]);
        Assert.Equal(Lf(package.Metadata("releaseNotes")!), Lf((string)psData["ReleaseNotes"]!));

        // Only the release notes differ from the built manifest: the rest of the file is the layout's.
        var built = PackageFixture.ReadManifest(Path.Combine(package.LayoutDirectory, "KvArchive.psd1"));
        Assert.Equal(Strings(built["CmdletsToExport"]), Strings(manifest["CmdletsToExport"]));
        Assert.Equal(Strings(PSData(built)["Tags"]), Strings(psData["Tags"]));
        Assert.Equal(built["GUID"], manifest["GUID"]);
    }

    [Fact]
    public async Task Extracted_package_imports_and_exports_every_manifest_cmdlet()
    {
        var cmdlets = Strings(PackageFixture.ReadManifest(PackagedManifestPath)["CmdletsToExport"]);
        var script = $$"""
            $ErrorActionPreference = 'Stop'
            $module = Import-Module -Name '{{PackagedManifestPath.Replace("'", "''", StringComparison.Ordinal)}}' -PassThru
            'base=' + $module.ModuleBase
            'path=' + $module.Path
            'version=' + $module.Version
            'dependencies=' + [KvArchive.KvArchiveModuleInitializer]::DependencyDirectory
            foreach ($command in Get-Command -Module KvArchive) {
                'command=' + $command.CommandType + ':' + $command.Name + ':' + (Get-Help -Name $command.Name).Synopsis.Trim()
            }
            """;
        var (exit, output) = await package.RunPowerShellAsync(script);
        Assert.True(exit == 0, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string Value(string key) => Assert.Single(lines, l => l.StartsWith(key + "=", StringComparison.Ordinal))[(key.Length + 1)..];

        // The cmdlets come from the extracted KvArchive.dll, the engine from the extracted Dependencies/.
        Assert.Equal(package.ExtractedDirectory, Path.GetFullPath(Value("base")));
        Assert.Equal(Path.Combine(package.ExtractedDirectory, "KvArchive.dll"), Path.GetFullPath(Value("path")));
        Assert.Equal(package.Version, Value("version"));
        Assert.Equal(Path.Combine(package.ExtractedDirectory, "Dependencies"), Value("dependencies"));

        var commands = lines.Where(l => l.StartsWith("command=", StringComparison.Ordinal)).Select(l => l["command=".Length..].Split(':', 3)).ToList();
        Assert.All(commands, c => Assert.Equal("Cmdlet", c[0]));
        Assert.Equal(cmdlets.Order(StringComparer.Ordinal), commands.Select(c => c[1]).Order(StringComparer.Ordinal));

        // Help from the packaged en-US folder: a written synopsis, not the syntax PowerShell makes up without help.
        Assert.All(commands, c => Assert.False(c[2].Length == 0 || c[2].StartsWith(c[1], StringComparison.Ordinal), $"{c[1]} has no help synopsis: '{c[2]}'"));
    }
}
