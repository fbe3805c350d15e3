using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;
using System.Xml;

namespace KvArchive.PackageBuilder;

/// <summary>
/// Stages the built module for packing: a copy of the layout with the license beside the manifest and the
/// manifest's PSData.ReleaseNotes set to the CHANGELOG.md section of the version, so the manifest a user installs
/// and the nuspec the Gallery shows say the same thing; then validates the staged manifest with
/// Test-ModuleManifest (as Publish-PSResource does) and writes the nuspec from it.
/// </summary>
internal sealed class GalleryPackage
{
    /// <summary>out/KvArchive: the layout the build wrote.</summary>
    public required string ModuleDirectory { get; init; }

    /// <summary>Where the package contents are staged (the nuspec base path); replaced on every run.</summary>
    public required string StageDirectory { get; init; }

    /// <summary>The nuspec to write.</summary>
    public required string NuspecPath { get; init; }

    /// <summary>CHANGELOG.md.</summary>
    public required string ChangelogPath { get; init; }

    /// <summary>LICENSE, shipped at the package root.</summary>
    public required string LicensePath { get; init; }

    /// <summary>README.md, shipped at the package root as the package's readme.</summary>
    public required string ReadmePath { get; init; }

    /// <summary>KvArchiveVersion: the manifest must carry exactly this ModuleVersion.</summary>
    public required string ExpectedVersion { get; init; }

    /// <summary>Runs every step; returns the staged manifest.</summary>
    public ModuleManifest Stage()
    {
        var moduleDirectory = Path.GetFullPath(ModuleDirectory).TrimEnd(Path.DirectorySeparatorChar);
        var name = Path.GetFileName(moduleDirectory);
        var built = ModuleManifest.Load(Path.Combine(moduleDirectory, name + ".psd1"));
        if (!string.Equals(built.GetString("ModuleVersion"), ExpectedVersion, StringComparison.Ordinal))
        {
            throw new PackageException(built.Path, $"ModuleVersion is '{built.GetString("ModuleVersion")}' but KvArchiveVersion is '{ExpectedVersion}'; rebuild src/KvArchive.");
        }

        if (!File.Exists(LicensePath))
        {
            throw new PackageException(LicensePath, "the license file does not exist.");
        }

        if (!File.Exists(ReadmePath))
        {
            throw new PackageException(ReadmePath, "the readme file does not exist.");
        }

        var notes = Changelog.ReleaseNotes(ChangelogPath, ExpectedVersion);

        var stage = Path.GetFullPath(StageDirectory);
        if (Directory.Exists(stage))
        {
            Directory.Delete(stage, recursive: true);
        }

        Copy(moduleDirectory, stage);
        File.Copy(LicensePath, Path.Combine(stage, "LICENSE"), overwrite: true);
        File.Copy(ReadmePath, Path.Combine(stage, Nuspec.ReadmeFile), overwrite: true);
        var stagedPath = Path.Combine(stage, name + ".psd1");
        File.WriteAllText(stagedPath, built.WithPSDataString("ReleaseNotes", notes), new UTF8Encoding(false));

        var staged = ModuleManifest.Load(stagedPath);
        TestModuleManifest(stagedPath);

        var nuspec = Nuspec.Create(staged, notes, GalleryTags.For(staged));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(NuspecPath))!);
        using (var writer = XmlWriter.Create(NuspecPath, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) }))
        {
            nuspec.Save(writer);
        }

        return staged;
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.EnumerateDirectories(from))
        {
            Copy(directory, Path.Combine(to, Path.GetFileName(directory)));
        }
    }

    /// <summary>Test-ModuleManifest in a bare runspace: the files it names exist, the fields are valid.</summary>
    private static void TestModuleManifest(string path)
    {
        using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        using var ps = PowerShell.Create(runspace);
        ps.AddCommand("Test-ModuleManifest").AddParameter("Path", path);
        try
        {
            ps.Invoke();
        }
        catch (RuntimeException e)
        {
            throw new PackageException(path, "Test-ModuleManifest: " + e.Message);
        }

        if (ps.Streams.Error.Count > 0)
        {
            throw new PackageException(path, "Test-ModuleManifest: " + string.Join("; ", ps.Streams.Error.Select(e => e.ToString())));
        }
    }
}
