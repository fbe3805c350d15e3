using System.Management.Automation;
using System.Xml.Linq;
using KvArchive.Module.Tests.Infrastructure;
using KvArchive.TestSupport;

namespace KvArchive.Module.Tests.Manifest;

/// <summary>The built layout and manifest (out/KvArchive), as Test-ModuleManifest and Import-Module see them.</summary>
[Collection(ModuleCollection.Name)]
public sealed class ModuleLayoutTests(ModuleFixture fixture)
{
    private static readonly string[] ExpectedCmdlets =
    [
        "Backup-KvObject", "Compare-KvArchive", "Export-KvArchiveItem", "Get-KvArchive", "Get-KvArchiveItem", "Get-KvObject", "Get-KvSecret", "Import-KvArchiveItem", "New-KvKey", "Remove-KvObject",
        "Restore-KvObject", "Set-KvSecret", "Test-KvArchive", "Undo-KvObjectRemoval", "Update-KvObject",
    ];

    private string ModuleDir => Path.GetDirectoryName(fixture.ManifestPath)!;

    [Fact]
    public void TestModuleManifest_accepts_the_built_manifest_with_the_central_version()
    {
        using var session = fixture.NewSession();
        var run = session.Set("ManifestPath", fixture.ManifestPath).Run("Test-ModuleManifest -Path $ManifestPath").EnsureSuccess();
        var info = Assert.Single(run.Objects<PSModuleInfo>());

        var props = XDocument.Load(Path.Combine(LocalVaultServer.RepoRoot(), "Directory.Build.props"));
        var version = props.Descendants("KvArchiveVersion").Single().Value;
        Assert.Equal(Version.Parse(version), info.Version);
        Assert.Equal("KvArchive.dll", Path.GetFileName(info.RootModule));
        Assert.Equal(new Version(7, 4), info.PowerShellVersion);
        Assert.Equal(["Core"], info.CompatiblePSEditions);
        Assert.Empty(info.RequiredAssemblies);
        Assert.Empty(info.ExportedFunctions);
        Assert.Empty(info.ExportedVariables);
        Assert.Empty(info.ExportedAliases);
        Assert.Equal(ExpectedCmdlets, info.ExportedCmdlets.Keys.Order(StringComparer.Ordinal));
        var psData = (System.Collections.Hashtable)((System.Collections.Hashtable)info.PrivateData)["PSData"]!;
        Assert.Contains("PSModule", ((object[])psData["Tags"]!).Cast<string>());
        Assert.NotNull(psData["LicenseUri"]);
        Assert.NotNull(psData["ProjectUri"]);
        Assert.False(string.IsNullOrWhiteSpace(psData["ReleaseNotes"] as string));
    }

    [Fact]
    public void Import_exports_exactly_the_manifest_cmdlets()
    {
        using var session = fixture.NewSession();
        var run = session.Run("(Get-Command -Module KvArchive).Name").EnsureSuccess();
        Assert.Equal(ExpectedCmdlets, run.Output.Select(o => o.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Layout_keeps_the_engine_and_every_dependency_under_Dependencies()
    {
        Assert.True(File.Exists(Path.Combine(ModuleDir, "KvArchive.dll")));
        Assert.True(File.Exists(Path.Combine(ModuleDir, "KvArchive.format.ps1xml")));
        Assert.True(File.Exists(Path.Combine(ModuleDir, "en-US", "KvArchive.dll-Help.xml")));
        Assert.True(File.Exists(Path.Combine(ModuleDir, "en-US", "about_KvArchive.help.txt")));
        Assert.True(File.Exists(Path.Combine(ModuleDir, "en-US", "about_KvArchive_ArchiveFormat.help.txt")));

        var rootDlls = Directory.GetFiles(ModuleDir, "*.dll").Select(f => Path.GetFileName(f)!).ToArray();
        Assert.Equal(["KvArchive.dll"], rootDlls);

        var deps = Path.Combine(ModuleDir, "Dependencies");
        foreach (var name in new[] { "KvArchive.Engine.dll", "KvArchive.Engine.deps.json", "Azure.Core.dll", "Azure.Identity.dll", "Azure.Security.KeyVault.Secrets.dll", "Azure.Security.KeyVault.Certificates.dll", "Microsoft.Identity.Client.dll" })
        {
            Assert.True(File.Exists(Path.Combine(deps, name)), $"{name} missing from Dependencies/");
        }

        Assert.Empty(Directory.GetFiles(ModuleDir, "System.Management.Automation.dll", SearchOption.AllDirectories));
    }
}
