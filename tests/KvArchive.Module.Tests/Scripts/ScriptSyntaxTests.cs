using System.Management.Automation.Language;
using KvArchive.TestSupport;

namespace KvArchive.Module.Tests.Scripts;

/// <summary>
/// The repository's PowerShell scripts (Pester suites, their helpers, build.ps1, examples) parse with PowerShell's
/// own parser, so a syntax slip is caught here even where pwsh and Pester are not installed.
/// </summary>
public sealed class ScriptSyntaxTests
{
    public static TheoryData<string> Scripts()
    {
        var root = LocalVaultServer.RepoRoot();
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(root, "tests", "Pester"), "*.ps*1")
                     .Concat(Directory.GetFiles(Path.Combine(root, "examples"), "*.ps1"))
                     .Append(Path.Combine(root, "build.ps1"))
                     .Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(root, file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_parses(string relativePath)
    {
        var path = Path.Combine(LocalVaultServer.RepoRoot(), relativePath);
        Parser.ParseFile(path, out _, out var errors);
        Assert.True(errors.Length == 0, string.Join("\n", errors.Select(e => $"{relativePath}:{e.Extent.StartLineNumber}:{e.Extent.StartColumnNumber}: {e.Message}")));
    }

    [Fact]
    public void Every_Pester_suite_starts_and_stops_what_it_uses()
    {
        var root = LocalVaultServer.RepoRoot();
        var suites = Directory.GetFiles(Path.Combine(root, "tests", "Pester"), "*.Tests.ps1");
        Assert.NotEmpty(suites);
        foreach (var suite in suites)
        {
            var ast = Parser.ParseFile(suite, out _, out _);
            var commands = ast.FindAll(a => a is CommandAst, true).Cast<CommandAst>().Select(c => c.GetCommandName()).Where(n => n is not null).ToHashSet(StringComparer.OrdinalIgnoreCase);
            Assert.Contains("BeforeAll", commands);
            Assert.Contains("Describe", commands);
            if (commands.Contains("Start-TestLocalVault"))
            {
                Assert.Contains("Stop-TestLocalVault", commands);
            }
        }
    }
}
