using System.Collections;
using System.Diagnostics;
using System.IO.Compression;
using System.Management.Automation.Language;
using System.Reflection;
using System.Text;
using System.Xml.Linq;
using KvArchive.TestSupport;

namespace KvArchive.Module.Tests.Package;

/// <summary>
/// Runs the packaging command once per test class, as a user would (dotnet pack src/KvArchive), into folders of
/// its own: the layout (ModuleOutDir), the stage (KvPackageWorkDir) and the output all live under one temp folder,
/// so out/KvArchive, which the other module tests import in parallel, is never touched. It opens the .nupkg and
/// extracts the module the way PSResourceGet installs it (without NuGet's own parts).
/// </summary>
public sealed class PackageFixture : IAsyncLifetime
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The temp folder holding everything this fixture wrote.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "kvarchive-package-tests", Guid.NewGuid().ToString("N"));

    /// <summary>The repository root.</summary>
    public string RepoRoot { get; } = LocalVaultServer.RepoRoot();

    /// <summary>The configuration the tests were built in: the pack reuses that build.</summary>
    public string Configuration { get; } =
        typeof(PackageFixture).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>-o of dotnet pack.</summary>
    public string OutputDirectory => Path.Combine(Root, "out");

    /// <summary>The module layout the pack's build wrote (ModuleOutDir).</summary>
    public string LayoutDirectory => Path.Combine(Root, "layout", "KvArchive");

    /// <summary>The package extracted as an installed module.</summary>
    public string ExtractedDirectory => Path.Combine(Root, "installed", "KvArchive");

    /// <summary>KvArchiveVersion from Directory.Build.props.</summary>
    public string Version { get; private set; } = string.Empty;

    /// <summary>The .nupkg.</summary>
    public string PackagePath { get; private set; } = string.Empty;

    /// <summary>Every entry name of the .nupkg.</summary>
    public IReadOnlyList<string> Entries { get; private set; } = [];

    /// <summary>The nuspec inside the package.</summary>
    public XDocument Nuspec { get; private set; } = new();

    /// <summary>What dotnet pack printed.</summary>
    public string PackLog { get; private set; } = string.Empty;

    /// <summary>A metadata element of the nuspec (null when absent).</summary>
    public string? Metadata(string name)
        => Nuspec.Root?.Elements().FirstOrDefault(e => e.Name.LocalName == "metadata")?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    /// <summary>The nuspec's tags.</summary>
    public IReadOnlyList<string> Tags => (Metadata("tags") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        var props = XDocument.Load(Path.Combine(RepoRoot, "Directory.Build.props"));
        Version = props.Descendants("KvArchiveVersion").Single().Value;

        var (exit, log) = await RunAsync(PackTimeout, "pack", Path.Combine(RepoRoot, "src", "KvArchive"), "-c", Configuration,
            "-o", OutputDirectory, $"-p:ModuleOutDir={LayoutDirectory}/", $"-p:KvPackageWorkDir={Path.Combine(Root, "work")}/",
            "-nologo", "-nodeReuse:false", "-p:UseSharedCompilation=false");
        PackLog = log;
        if (exit != 0)
        {
            throw new InvalidOperationException($"dotnet pack failed ({exit}):\n{log}");
        }

        PackagePath = Path.Combine(OutputDirectory, $"KvArchive.{Version}.nupkg");
        using var zip = ZipFile.OpenRead(PackagePath);
        Entries = zip.Entries.Select(e => e.FullName).ToList();
        using (var nuspec = zip.GetEntry("KvArchive.nuspec")!.Open())
        {
            Nuspec = XDocument.Load(nuspec);
        }

        foreach (var entry in zip.Entries.Where(e => !IsNuGetPart(e.FullName) && e.Name.Length > 0))
        {
            var target = Path.Combine(ExtractedDirectory, entry.FullName);
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

    /// <summary>What NuGet adds to a package and PSResourceGet deletes when it installs one.</summary>
    public static bool IsNuGetPart(string entry)
        => entry.StartsWith("_rels/", StringComparison.Ordinal) || entry.StartsWith("package/", StringComparison.Ordinal)
           || entry == "[Content_Types].xml" || (entry.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase) && !entry.Contains('/'));

    /// <summary>A module manifest's data, read with PowerShell's parser (nothing is loaded or run).</summary>
    public static Hashtable ReadManifest(string path)
    {
        var ast = Parser.ParseFile(path, out _, out var errors);
        Assert.Empty(errors);
        var table = (HashtableAst)ast.Find(a => a is HashtableAst, searchNestedScriptBlocks: false)!;
        return (Hashtable)table.SafeGetValue();
    }

    /// <summary>
    /// Runs a script in a bare PowerShell host in a process of its own (tools/KvArchive.PackageBuilder run-script):
    /// importing the extracted package into this process would load a second KvArchive.dll beside the one the
    /// other module tests import from out/KvArchive.
    /// </summary>
    public async Task<(int ExitCode, string Output)> RunPowerShellAsync(string script)
    {
        var file = Path.Combine(Root, $"script-{Guid.NewGuid():N}.ps1");
        await File.WriteAllTextAsync(file, script);
        var host = Path.Combine(RepoRoot, "tools", "KvArchive.PackageBuilder", "bin", Configuration, "net10.0", "KvArchive.PackageBuilder.dll");
        Assert.True(File.Exists(host), $"{host} was not built by the pack.");
        return await RunAsync(TimeSpan.FromMinutes(2), host, "run-script", "--file", file);
    }

    internal static async Task<(int ExitCode, string Output)> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        // Run like a user's shell: nothing inherited from the MSBuild that launched the test run, and no build
        // server or node left behind holding this process's pipes open.
        foreach (var name in psi.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            psi.Environment.Remove(name);
        }

        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        psi.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        psi.Environment["UseSharedCompilation"] = "false";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet");
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // WaitForExit(timeout) returns at exit even if a grandchild still holds the pipes.
        if (!await Task.Run(() => process.WaitForExit(timeout)))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within {timeout}:\n{log}");
        }

        // The parameterless wait also drains the output events; bounded in case a grandchild kept the pipes.
        await Task.WhenAny(Task.Run(process.WaitForExit), Task.Delay(TimeSpan.FromSeconds(30)));
        lock (log)
        {
            return (process.ExitCode, log.ToString());
        }
    }
}
