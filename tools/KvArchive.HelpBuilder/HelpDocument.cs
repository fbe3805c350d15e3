namespace KvArchive.HelpBuilder;

/// <summary>The prose of one cmdlet's help, as written in module/help/&lt;cmdlet&gt;.md.</summary>
internal sealed class HelpDocument
{
    public required string SourcePath { get; init; }
    public string? Name { get; set; }
    public string? Synopsis { get; set; }
    public List<string> Description { get; } = [];
    public List<HelpExample> Examples { get; } = [];
    public Dictionary<string, List<string>> Parameters { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<HelpTypeNote> Inputs { get; } = [];
    public List<HelpTypeNote> Outputs { get; } = [];
    public List<string> Notes { get; } = [];
    public List<HelpLink> Links { get; } = [];
}

/// <summary>An example: a title, the code and what it does.</summary>
internal sealed record HelpExample(string Title, string Code, IReadOnlyList<string> Remarks);

/// <summary>An input or output type and what it means.</summary>
internal sealed record HelpTypeNote(string TypeName, IReadOnlyList<string> Description);

/// <summary>A related link: text and an optional URI.</summary>
internal sealed record HelpLink(string Text, string? Uri);
