using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;
using KvArchive.TestSupport;

namespace KvArchive.Module.Tests.Package;

/// <summary>
/// Packs LocalVault's two packages as build.ps1 -Task Package does (dotnet pack of src/KvArchive.LocalVault and
/// src/KvArchive.LocalVault.Module), into a temp folder of its own: the companion module's layout and stage are
/// pointed there too, so out/ is never touched. Keeps every entry of both packages and the companion module
/// extracted as PSResourceGet installs it.
/// </summary>
public sealed class LocalVaultPackageFixture : IAsyncLifetime
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(10);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "kvarchive-lvpackage-tests", Guid.NewGuid().ToString("N"));

    public string RepoRoot { get; } = LocalVaultServer.RepoRoot();

    public string Configuration { get; } =
        typeof(LocalVaultPackageFixture).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public string OutputDirectory => Path.Combine(Root, "out");

    public string ModuleLayoutDirectory => Path.Combine(Root, "layout", "KvArchive.LocalVault");

    public string ExtractedModuleDirectory => Path.Combine(Root, "installed", "KvArchive.LocalVault");

    public string Version { get; private set; } = string.Empty;

    public string ToolPackagePath => Path.Combine(OutputDirectory, $"KvArchive.LocalVault.Tool.{Version}.nupkg");

    public string ModulePackagePath => Path.Combine(OutputDirectory, $"KvArchive.LocalVault.{Version}.nupkg");

    public IReadOnlyList<string> ToolEntries { get; private set; } = [];

    public IReadOnlyList<string> ModuleEntries { get; private set; } = [];

    public XDocument ToolNuspec { get; private set; } = new();

    public XDocument ModuleNuspec { get; private set; } = new();

    /// <summary>The text of one entry of the tool package.</summary>
    public string ToolEntryText(string entry)
    {
        using var zip = ZipFile.OpenRead(ToolPackagePath);
        using var reader = new StreamReader(zip.GetEntry(entry)!.Open());
        return reader.ReadToEnd();
    }

    public static string? Metadata(XDocument nuspec, string name)
        => nuspec.Root?.Elements().FirstOrDefault(e => e.Name.LocalName == "metadata")?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        Version = XDocument.Load(Path.Combine(RepoRoot, "Directory.Build.props")).Descendants("KvArchiveVersion").Single().Value;

        foreach (var (project, extra) in new[]
        {
            ("KvArchive.LocalVault.Module", new[] { $"-p:ModuleOutDir={ModuleLayoutDirectory}/", $"-p:KvPackageWorkDir={Path.Combine(Root, "work")}/" }),
            ("KvArchive.LocalVault", Array.Empty<string>()),
        })
        {
            var arguments = new[] { "pack", Path.Combine(RepoRoot, "src", project), "-c", Configuration, "-o", OutputDirectory, "-nologo", "-nodeReuse:false", "-p:UseSharedCompilation=false" }.Concat(extra).ToArray();
            var (exit, log) = await PackageFixture.RunAsync(PackTimeout, arguments);
            if (exit != 0)
            {
                throw new InvalidOperationException($"dotnet pack {project} failed ({exit}):\n{log}");
            }
        }

        (ToolEntries, ToolNuspec) = Open(ToolPackagePath, "KvArchive.LocalVault.Tool.nuspec");
        (ModuleEntries, ModuleNuspec) = Open(ModulePackagePath, "KvArchive.LocalVault.nuspec");

        using var zip = ZipFile.OpenRead(ModulePackagePath);
        foreach (var entry in zip.Entries.Where(e => !PackageFixture.IsNuGetPart(e.FullName) && e.Name.Length > 0))
        {
            var target = Path.Combine(ExtractedModuleDirectory, entry.FullName);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            entry.ExtractToFile(target);
        }
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return Task.CompletedTask;
    }

    private static (IReadOnlyList<string> Entries, XDocument Nuspec) Open(string path, string nuspecEntry)
    {
        using var zip = ZipFile.OpenRead(path);
        using var nuspec = zip.GetEntry(nuspecEntry)!.Open();
        return (zip.Entries.Select(e => e.FullName).ToList(), XDocument.Load(nuspec));
    }
}
