using System.Management.Automation;
using KvArchive.Module.Tests.Infrastructure;

namespace KvArchive.Module.Tests.Help;

/// <summary>Every exported cmdlet and every parameter has help that Get-Help can show; the about topics ship.</summary>
[Collection(ModuleCollection.Name)]
public sealed class HelpTests(ModuleFixture fixture)
{
    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ProgressAction", "ErrorVariable",
        "WarningVariable", "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable",
    };

    private static string Text(object? value) => value switch
    {
        null => string.Empty,
        PSObject p when p.BaseObject is string s => s,
        PSObject p => string.Join("\n", p.Properties.Where(x => x.Name == "Text").Select(x => x.Value?.ToString())) is { Length: > 0 } t ? t : p.ToString(),
        object[] a => string.Join("\n", a.Select(Text)),
        _ => value.ToString() ?? string.Empty,
    };

    [Fact]
    public void Every_cmdlet_and_parameter_has_help()
    {
        using var session = fixture.NewSession();
        var commands = session.Run("Get-Command -Module KvArchive").EnsureSuccess().Objects<CmdletInfo>();
        Assert.Equal(15, commands.Count);
        var missing = new List<string>();
        foreach (var command in commands)
        {
            var help = session.Set("Name", command.Name).Run("Get-Help -Name $Name -Full").EnsureSuccess().Output.Single();
            var synopsis = Text(help.Properties["Synopsis"]?.Value).Trim();
            if (synopsis.Length == 0 || synopsis.StartsWith(command.Name + " ", StringComparison.Ordinal) || synopsis.Contains("[-", StringComparison.Ordinal))
            {
                missing.Add($"{command.Name}: synopsis ('{synopsis}')");
            }

            if (Text(help.Properties["description"]?.Value).Trim().Length == 0)
            {
                missing.Add($"{command.Name}: description");
            }

            var examples = (help.Properties["examples"]?.Value as PSObject)?.Properties["example"]?.Value;
            var exampleCount = examples is object[] arr ? arr.Length : examples is null ? 0 : 1;
            if (exampleCount < 2)
            {
                missing.Add($"{command.Name}: {exampleCount} examples");
            }

            if (Text((help.Properties["returnValues"]?.Value as PSObject)?.Properties["returnValue"]?.Value).Length == 0
                && (help.Properties["returnValues"]?.Value is null))
            {
                missing.Add($"{command.Name}: outputs");
            }

            if ((help.Properties["relatedLinks"]?.Value as PSObject)?.Properties["navigationLink"]?.Value is null)
            {
                missing.Add($"{command.Name}: related links");
            }

            foreach (var parameter in command.Parameters.Keys.Where(p => !Common.Contains(p)))
            {
                var p = session.Set("Parameter", parameter).Run("Get-Help -Name $Name -Parameter $Parameter").EnsureSuccess().Output.SingleOrDefault();
                var description = Text(p?.Properties["description"]?.Value).Trim();
                if (description.Length < 10)
                {
                    missing.Add($"{command.Name} -{parameter}");
                }
            }
        }

        Assert.True(missing.Count == 0, "help missing for:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void Help_shows_real_examples_and_the_about_topics_exist()
    {
        using var session = fixture.NewSession();
        var examples = session.Run("(Get-Help Backup-KvObject -Examples).examples.example.code").EnsureSuccess();
        Assert.Contains(examples.Output, o => o.ToString().Contains("Backup-KvObject", StringComparison.Ordinal));

        var about = session.Run("Get-Help about_KvArchive").EnsureSuccess();
        Assert.Contains("Backup-KvObject", string.Concat(about.Output.Select(o => o.ToString())), StringComparison.Ordinal);
        var format = session.Run("Get-Help about_KvArchive_ArchiveFormat").EnsureSuccess();
        Assert.Contains("manifest.json", string.Concat(format.Output.Select(o => o.ToString())), StringComparison.Ordinal);
    }
}
