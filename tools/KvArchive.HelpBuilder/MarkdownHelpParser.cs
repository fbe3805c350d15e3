using System.Text;
using System.Text.RegularExpressions;

namespace KvArchive.HelpBuilder;

/// <summary>
/// Reads the small markdown dialect of module/help: "# Name", then "## SYNOPSIS", "## DESCRIPTION",
/// "## EXAMPLES" (each "### title" with one fenced code block and remarks), "## PARAMETERS" (each "### -Name"),
/// "## INPUTS" / "## OUTPUTS" (each "### Type"), "## NOTES", "## RELATED LINKS" ("- [text](uri)").
/// Paragraphs are separated by blank lines.
/// </summary>
internal static partial class MarkdownHelpParser
{
    public static HelpDocument Parse(string path)
    {
        var doc = new HelpDocument { SourcePath = path };
        var lines = File.ReadAllLines(path);
        string? section = null;
        string? sub = null;
        var block = new List<string>();
        string? code = null;
        var inFence = false;
        var fence = new StringBuilder();

        void Flush()
        {
            var paragraphs = Paragraphs(block);
            block.Clear();
            switch (section)
            {
                case "SYNOPSIS":
                    doc.Synopsis = string.Join(" ", paragraphs);
                    break;
                case "DESCRIPTION":
                    doc.Description.AddRange(paragraphs);
                    break;
                case "NOTES":
                    doc.Notes.AddRange(paragraphs);
                    break;
                case "EXAMPLES" when sub is not null:
                    doc.Examples.Add(new HelpExample(sub, code ?? string.Empty, paragraphs));
                    break;
                case "PARAMETERS" when sub is not null:
                    doc.Parameters[sub.TrimStart('-')] = paragraphs;
                    break;
                case "INPUTS" when sub is not null:
                    doc.Inputs.Add(new HelpTypeNote(sub, paragraphs));
                    break;
                case "OUTPUTS" when sub is not null:
                    doc.Outputs.Add(new HelpTypeNote(sub, paragraphs));
                    break;
                case "RELATED LINKS":
                    foreach (var line in paragraphs.SelectMany(p => p.Split('\n')))
                    {
                        var m = LinkPattern().Match(line);
                        if (m.Success)
                        {
                            doc.Links.Add(new HelpLink(m.Groups["text"].Value, string.IsNullOrWhiteSpace(m.Groups["uri"].Value) ? null : m.Groups["uri"].Value));
                        }
                    }

                    break;
            }

            code = null;
        }

        foreach (var raw in lines)
        {
            var line = raw.TrimEnd();
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                if (inFence)
                {
                    code = fence.ToString().TrimEnd('\n');
                    fence.Clear();
                }

                inFence = !inFence;
                continue;
            }

            if (inFence)
            {
                fence.Append(raw).Append('\n');
                continue;
            }

            if (line.StartsWith("### ", StringComparison.Ordinal))
            {
                Flush();
                sub = line[4..].Trim();
                continue;
            }

            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                Flush();
                section = line[3..].Trim().ToUpperInvariant();
                sub = null;
                continue;
            }

            if (line.StartsWith("# ", StringComparison.Ordinal))
            {
                Flush();
                doc.Name = line[2..].Trim();
                section = null;
                sub = null;
                continue;
            }

            block.Add(line);
        }

        Flush();
        return doc;
    }

    private static List<string> Paragraphs(List<string> lines)
    {
        var result = new List<string>();
        var current = new List<string>();
        foreach (var line in lines)
        {
            if (line.Trim().Length == 0)
            {
                if (current.Count > 0)
                {
                    result.Add(Join(current));
                    current.Clear();
                }
            }
            else
            {
                current.Add(line.Trim());
            }
        }

        if (current.Count > 0)
        {
            result.Add(Join(current));
        }

        return result;
    }

    // List items keep their lines; prose lines are joined with spaces.
    private static string Join(List<string> lines) =>
        lines.All(l => l.StartsWith("- ", StringComparison.Ordinal)) ? string.Join("\n", lines) : string.Join(" ", lines);

    [GeneratedRegex(@"^-\s*\[(?<text>[^\]]+)\]\((?<uri>[^)]*)\)")]
    private static partial Regex LinkPattern();
}
