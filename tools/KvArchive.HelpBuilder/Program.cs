using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;
using System.Xml;
using KvArchive.HelpBuilder;

// Usage: KvArchive.HelpBuilder --manifest out/KvArchive/KvArchive.psd1 --source module/help --out <file.xml>
var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i].TrimStart('-')] = args[i + 1];
}

if (!options.TryGetValue("manifest", out var manifest) || !options.TryGetValue("source", out var source) || !options.TryGetValue("out", out var output))
{
    Console.Error.WriteLine("usage: KvArchive.HelpBuilder --manifest <psd1> --source <help dir> --out <maml xml>");
    return 2;
}

source = Path.GetFullPath(source);
var problems = new List<string>();
void Problem(string file, string message) => problems.Add($"{file} : error KVHELP: {message}");

// Parameters of the shared base classes are documented once, in _CommonParameters.md.
var shared = MarkdownHelpParser.Parse(Path.Combine(source, "_CommonParameters.md"));
var docs = Directory.GetFiles(source, "*.md")
    .Where(f => !Path.GetFileName(f).StartsWith('_'))
    .Select(MarkdownHelpParser.Parse)
    .ToDictionary(d => Path.GetFileNameWithoutExtension(d.SourcePath), StringComparer.OrdinalIgnoreCase);

var iss = InitialSessionState.CreateDefault2();
using var runspace = RunspaceFactory.CreateRunspace(iss);
runspace.Open();
using var ps = PowerShell.Create(runspace);
ps.AddCommand("Import-Module").AddParameter("Name", Path.GetFullPath(manifest)).AddParameter("PassThru").AddParameter("ErrorAction", "Stop");
var module = ps.Invoke<PSModuleInfo>().Single();
var cmdlets = module.ExportedCmdlets.Values.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
if (cmdlets.Count == 0)
{
    Problem(manifest, "the module exports no cmdlets");
}

var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) };
var buffer = new MemoryStream();
using (var xml = XmlWriter.Create(buffer, settings))
{
    var writer = new MamlWriter(xml);
    writer.Begin();
    foreach (var cmdlet in cmdlets)
    {
        if (!docs.TryGetValue(cmdlet.Name, out var doc))
        {
            Problem(Path.Combine(source, cmdlet.Name + ".md"), $"{cmdlet.Name} has no help file");
            continue;
        }

        var file = doc.SourcePath;
        if (!string.Equals(doc.Name, cmdlet.Name, StringComparison.Ordinal))
        {
            Problem(file, $"the title is '{doc.Name}', expected '# {cmdlet.Name}'");
        }

        if (string.IsNullOrWhiteSpace(doc.Synopsis))
        {
            Problem(file, "SYNOPSIS is empty");
        }

        if (doc.Description.Count == 0)
        {
            Problem(file, "DESCRIPTION is empty");
        }

        if (doc.Examples.Count < 2 || doc.Examples.Any(e => string.IsNullOrWhiteSpace(e.Code) || e.Remarks.Count == 0))
        {
            Problem(file, "EXAMPLES needs at least two examples, each with code and an explanation");
        }

        if (doc.Outputs.Count == 0)
        {
            Problem(file, "OUTPUTS is empty");
        }

        if (doc.Links.Count == 0)
        {
            Problem(file, "RELATED LINKS is empty");
        }

        var actual = MamlWriter.DistinctParameters(cmdlet).Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var name in actual)
        {
            var help = doc.Parameters.GetValueOrDefault(name) ?? shared.Parameters.GetValueOrDefault(name);
            if (help is null || help.Count == 0)
            {
                Problem(file, $"parameter -{name} of {cmdlet.Name} has no help (add '### -{name}' under PARAMETERS)");
            }
        }

        foreach (var name in doc.Parameters.Keys.Where(n => !actual.Contains(n)))
        {
            Problem(file, $"help describes -{name}, which {cmdlet.Name} does not have");
        }

        foreach (var declared in doc.Outputs.Where(o => !cmdlet.OutputType.Any(t => string.Equals(t.Name, o.TypeName, StringComparison.OrdinalIgnoreCase))))
        {
            Problem(file, $"OUTPUTS names {declared.TypeName}, which is not among {cmdlet.Name}'s [OutputType]s ({string.Join(", ", cmdlet.OutputType.Select(t => t.Name))})");
        }

        writer.WriteCommand(cmdlet, doc, name => doc.Parameters.GetValueOrDefault(name) ?? shared.Parameters.GetValueOrDefault(name) ?? []);
    }

    foreach (var orphan in docs.Keys.Where(k => !cmdlets.Any(c => string.Equals(c.Name, k, StringComparison.OrdinalIgnoreCase))))
    {
        Problem(docs[orphan].SourcePath, $"{orphan} is not a cmdlet of the module");
    }

    writer.End();
}

if (problems.Count > 0)
{
    foreach (var p in problems)
    {
        Console.WriteLine(p);
    }

    return 1;
}

Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
File.WriteAllBytes(output, buffer.ToArray());
Console.WriteLine($"KvArchive help: {cmdlets.Count} cmdlets -> {output}");
return 0;
