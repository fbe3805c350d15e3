using System.Collections;
using System.Management.Automation.Language;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace KvArchive.Module.Tests.Package;

/// <summary>
/// LocalVault ships without the source: a .NET tool package (command localvault, net8.0 rolling forward, with its
/// README) and the companion script module KvArchive.LocalVault as a Gallery package whose manifest lists every
/// function by name, each with help. (build.ps1 -Task TestInstalled installs both and runs the example suite.)
/// </summary>
public sealed class LocalVaultPackageTests(LocalVaultPackageFixture package) : IClassFixture<LocalVaultPackageFixture>
{
    private const string ToolDir = "tools/net8.0/any/";

    private static IReadOnlyList<string> Strings(object? value) => value switch
    {
        null => [],
        string s => [s],
        IEnumerable e => e.Cast<object>().Select(o => o.ToString()!).ToList(),
        _ => [value.ToString()!],
    };

    [Fact]
    public void Tool_package_has_the_dotnet_tool_layout_and_the_readme()
    {
        foreach (var entry in new[] { "README.md", "LICENSE", ToolDir + "DotnetToolSettings.xml", ToolDir + "KvArchive.LocalVault.dll", ToolDir + "KvArchive.LocalVault.runtimeconfig.json", ToolDir + "KvArchive.LocalVault.deps.json" })
        {
            Assert.Contains(entry, package.ToolEntries);
        }

        // A console server: nothing of a web site, and no runtime carried (framework-dependent).
        Assert.DoesNotContain(package.ToolEntries, e => e.EndsWith("web.config", StringComparison.Ordinal) || e.Contains("staticwebassets", StringComparison.Ordinal));
        Assert.DoesNotContain(package.ToolEntries, e => e.StartsWith("tools/", StringComparison.Ordinal) && !e.StartsWith(ToolDir, StringComparison.Ordinal));

        var settings = XDocument.Parse(package.ToolEntryText(ToolDir + "DotnetToolSettings.xml"));
        var command = Assert.Single(settings.Descendants("Command"));
        Assert.Equal("localvault", command.Attribute("Name")?.Value);
        Assert.Equal("KvArchive.LocalVault.dll", command.Attribute("EntryPoint")?.Value);

        // The oldest runtime the module supports, rolling forward to whatever newer one is installed.
        var runtime = JsonNode.Parse(package.ToolEntryText(ToolDir + "KvArchive.LocalVault.runtimeconfig.json"))!["runtimeOptions"]!;
        Assert.Equal("net8.0", runtime["tfm"]!.GetValue<string>());
        Assert.Equal("Major", runtime["rollForward"]!.GetValue<string>());

        // The packaged README is LocalVault's own, which says how to install and start the tool.
        var readme = package.ToolEntryText("README.md");
        Assert.Equal(File.ReadAllText(Path.Combine(package.RepoRoot, "src", "KvArchive.LocalVault", "README.md")), readme);
        Assert.Contains("dotnet tool install", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void Tool_nuspec_names_the_tool_package_type_version_and_readme()
    {
        var nuspec = package.ToolNuspec;
        Assert.Equal("KvArchive.LocalVault.Tool", LocalVaultPackageFixture.Metadata(nuspec, "id"));
        Assert.Equal(package.Version, LocalVaultPackageFixture.Metadata(nuspec, "version"));
        Assert.Equal("README.md", LocalVaultPackageFixture.Metadata(nuspec, "readme"));
        Assert.Equal("MIT", LocalVaultPackageFixture.Metadata(nuspec, "license"));
        Assert.Contains(nuspec.Descendants(), e => e.Name.LocalName == "packageType" && e.Attribute("name")?.Value == "DotnetTool");
        Assert.False(string.IsNullOrWhiteSpace(LocalVaultPackageFixture.Metadata(nuspec, "description")));
    }

    [Fact]
    public void Companion_module_package_is_gallery_shaped_with_explicit_exports()
    {
        foreach (var entry in new[] { "KvArchive.LocalVault.psd1", "KvArchive.LocalVault.psm1", "KvArchive.LocalVault.format.ps1xml", "en-US/about_KvArchive_LocalVault.help.txt", "LICENSE" })
        {
            Assert.Contains(entry, package.ModuleEntries);
        }

        Assert.DoesNotContain(package.ModuleEntries, e => e.StartsWith("lib/", StringComparison.Ordinal) || e.EndsWith(".dll", StringComparison.OrdinalIgnoreCase));

        var manifest = PackageFixture.ReadManifest(Path.Combine(package.ExtractedModuleDirectory, "KvArchive.LocalVault.psd1"));
        Assert.Equal(package.Version, manifest["ModuleVersion"]);
        Assert.Equal("KvArchive.LocalVault.psm1", manifest["RootModule"]);
        Assert.Equal("7.4", manifest["PowerShellVersion"]);
        Assert.Empty(Strings(manifest["CmdletsToExport"]));
        Assert.Empty(Strings(manifest["VariablesToExport"]));
        Assert.Empty(Strings(manifest["AliasesToExport"]));

        var functions = Strings(manifest["FunctionsToExport"]);
        Assert.Contains("Start-KvLocalVault", functions);
        Assert.Contains("Stop-KvLocalVault", functions);
        Assert.All(functions, f => Assert.DoesNotContain('*', f));

        // The manifest, the module's Export-ModuleMember and the Gallery tags name the same functions.
        var module = Parser.ParseFile(Path.Combine(package.ExtractedModuleDirectory, "KvArchive.LocalVault.psm1"), out _, out var errors);
        Assert.Empty(errors);
        var exported = module.FindAll(a => a is CommandAst c && c.GetCommandName() == "Export-ModuleMember", false).Cast<CommandAst>().Single()
            .CommandElements.OfType<ArrayLiteralAst>().Single().Elements.Cast<StringConstantExpressionAst>().Select(e => e.Value);
        Assert.Equal(functions.Order(StringComparer.Ordinal), exported.Order(StringComparer.Ordinal));

        var tags = (LocalVaultPackageFixture.Metadata(package.ModuleNuspec, "tags") ?? "").Split(' ');
        Assert.Equal("PSModule", tags[0]);
        Assert.Contains("PSIncludes_Function", tags);
        Assert.All(functions, f => Assert.Contains("PSFunction_" + f, tags));
        Assert.Equal("KvArchive.LocalVault", LocalVaultPackageFixture.Metadata(package.ModuleNuspec, "id"));
    }

    [Fact]
    public void Every_exported_function_has_help_and_those_that_write_support_WhatIf()
    {
        var manifest = PackageFixture.ReadManifest(Path.Combine(package.ExtractedModuleDirectory, "KvArchive.LocalVault.psd1"));
        var module = Parser.ParseFile(Path.Combine(package.ExtractedModuleDirectory, "KvArchive.LocalVault.psm1"), out _, out _);
        var definitions = module.FindAll(a => a is FunctionDefinitionAst, false).Cast<FunctionDefinitionAst>().ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);

        // Reading only: the list, the statistics read and the token (which changes no state).
        var readers = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Get-KvLocalVault", "New-KvLocalVaultToken" };
        foreach (var name in Strings(manifest["FunctionsToExport"]))
        {
            var function = definitions[name];
            var help = function.GetHelpContent();
            Assert.True(help is not null && !string.IsNullOrWhiteSpace(help.Synopsis), $"{name} has no .SYNOPSIS");
            Assert.True(help!.Examples.Count > 0, $"{name} has no .EXAMPLE");
            foreach (var parameter in function.Body.ParamBlock?.Parameters ?? [])
            {
                var parameterName = parameter.Name.VariablePath.UserPath;
                Assert.True(help.Parameters.Keys.Any(k => k.Equals(parameterName, StringComparison.OrdinalIgnoreCase)), $"{name} -{parameterName} has no .PARAMETER help");
            }

            var binding = function.Body.ParamBlock!.Attributes.Single(a => a.TypeName.Name == "CmdletBinding");
            var supportsShouldProcess = binding.NamedArguments.Any(a => a.ArgumentName == "SupportsShouldProcess");
            Assert.True(readers.Contains(name) || supportsShouldProcess, $"{name} writes but has no SupportsShouldProcess");
        }
    }
}
