using System.Management.Automation;
using System.Xml;

namespace KvArchive.HelpBuilder;

/// <summary>Writes MAML (the XML help format Get-Help reads for binary cmdlets).</summary>
internal sealed class MamlWriter
{
    private const string Maml = "http://schemas.microsoft.com/maml/2004/10";
    private const string Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private const string Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    private readonly XmlWriter _w;

    public MamlWriter(XmlWriter writer) => _w = writer;

    public void Begin()
    {
        _w.WriteStartDocument();
        _w.WriteStartElement("helpItems", "http://msh");
        _w.WriteAttributeString("schema", "maml");
    }

    public void End()
    {
        _w.WriteEndElement();
        _w.WriteEndDocument();
    }

    public void WriteCommand(CmdletInfo cmdlet, HelpDocument doc, Func<string, IReadOnlyList<string>> parameterHelp)
    {
        var defaults = DefaultValues(cmdlet);
        _w.WriteStartElement("command", "command", Command);
        _w.WriteAttributeString("xmlns", "maml", null, Maml);
        _w.WriteAttributeString("xmlns", "dev", null, Dev);

        _w.WriteStartElement("details", Command);
        _w.WriteElementString("name", Command, cmdlet.Name);
        _w.WriteElementString("verb", Command, cmdlet.Verb);
        _w.WriteElementString("noun", Command, cmdlet.Noun);
        Paragraphs("description", Maml, [doc.Synopsis ?? string.Empty]);
        _w.WriteEndElement();

        Paragraphs("description", Maml, doc.Description);

        _w.WriteStartElement("syntax", Command);
        foreach (var set in OrderedSets(cmdlet))
        {
            _w.WriteStartElement("syntaxItem", Command);
            _w.WriteElementString("name", Maml, cmdlet.Name);
            foreach (var p in set.Parameters.Where(p => !CommonParameterNames.Contains(p.Name)).OrderBy(p => p.Position < 0 ? int.MaxValue : p.Position))
            {
                Parameter(p.Name, p.ParameterType, p.IsMandatory, p.Position, p.ValueFromPipeline, p.ValueFromPipelineByPropertyName, p.Aliases, HasWildcards(p.Attributes), parameterHelp(p.Name), defaults.GetValueOrDefault(p.Name));
            }

            _w.WriteEndElement();
        }

        _w.WriteEndElement();

        _w.WriteStartElement("parameters", Command);
        foreach (var (name, info) in DistinctParameters(cmdlet))
        {
            Parameter(name, info.ParameterType, info.IsMandatory, info.Position, info.ValueFromPipeline, info.ValueFromPipelineByPropertyName, info.Aliases, HasWildcards(info.Attributes), parameterHelp(name), defaults.GetValueOrDefault(name));
        }

        _w.WriteEndElement();

        TypeNotes("inputTypes", "inputType", doc.Inputs);
        TypeNotes("returnValues", "returnValue", doc.Outputs);

        if (doc.Notes.Count > 0)
        {
            _w.WriteStartElement("alertSet", Maml);
            _w.WriteStartElement("alert", Maml);
            foreach (var n in doc.Notes)
            {
                _w.WriteElementString("para", Maml, n);
            }

            _w.WriteEndElement();
            _w.WriteEndElement();
        }

        _w.WriteStartElement("examples", Command);
        foreach (var e in doc.Examples)
        {
            _w.WriteStartElement("example", Command);
            _w.WriteElementString("title", Maml, $"-------------------------- {e.Title} --------------------------");
            _w.WriteElementString("code", Dev, e.Code);
            Paragraphs("remarks", Dev, e.Remarks);
            _w.WriteEndElement();
        }

        _w.WriteEndElement();

        _w.WriteStartElement("relatedLinks", Command);
        foreach (var link in doc.Links)
        {
            _w.WriteStartElement("navigationLink", Maml);
            _w.WriteElementString("linkText", Maml, link.Text);
            _w.WriteElementString("uri", Maml, link.Uri ?? string.Empty);
            _w.WriteEndElement();
        }

        _w.WriteEndElement();
        _w.WriteEndElement();
    }

    /// <summary>Parameters every cmdlet gets from PowerShell; documented by about_CommonParameters.</summary>
    public static readonly HashSet<string> CommonParameterNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ProgressAction", "ErrorVariable",
        "WarningVariable", "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable",
    };

    /// <summary>Every documentable parameter of a cmdlet once, with its metadata from the first set that has it.</summary>
    public static IEnumerable<(string Name, CommandParameterInfo Info)> DistinctParameters(CmdletInfo cmdlet) =>
        OrderedSets(cmdlet).SelectMany(s => s.Parameters)
            .Where(p => !CommonParameterNames.Contains(p.Name))
            .GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase)
            .Select(g => (g.Key, g.First()));

    private static IEnumerable<CommandParameterSetInfo> OrderedSets(CmdletInfo cmdlet) =>
        cmdlet.ParameterSets.OrderBy(s => s.IsDefault ? 0 : 1);

    private static bool HasWildcards(IEnumerable<Attribute> attributes) => attributes.OfType<SupportsWildcardsAttribute>().Any();

    /// <summary>
    /// The default of each optional parameter, read from a fresh instance of the cmdlet class (its property
    /// initializers are the defaults), so help shows what the code does.
    /// </summary>
    private static Dictionary<string, string> DefaultValues(CmdletInfo cmdlet)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        object instance;
        try
        {
            instance = Activator.CreateInstance(cmdlet.ImplementingType)!;
        }
        catch (MissingMethodException)
        {
            return result;
        }

        foreach (var (name, _) in DistinctParameters(cmdlet))
        {
            var property = cmdlet.ImplementingType.GetProperty(name);
            var value = property?.GetValue(instance);
            var text = value switch
            {
                null => null,
                SwitchParameter s => s.IsPresent ? "True" : "False",
                string s when s.Length == 0 => null,
                System.Collections.IEnumerable e and not string => string.Join(", ", e.Cast<object>()) is { Length: > 0 } joined ? joined : null,
                _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
            };
            if (text is not null)
            {
                result[name] = text;
            }
        }

        (instance as IDisposable)?.Dispose();
        return result;
    }

    private void Parameter(string name, Type type, bool required, int position, bool byValue, bool byName, IEnumerable<string> aliases, bool globbing, IReadOnlyList<string> help, string? defaultValue)
    {
        _w.WriteStartElement("parameter", Command);
        _w.WriteAttributeString("required", required ? "true" : "false");
        _w.WriteAttributeString("variableLength", type.IsArray ? "true" : "false");
        _w.WriteAttributeString("globbing", globbing ? "true" : "false");
        _w.WriteAttributeString("pipelineInput", (byValue, byName) switch
        {
            (true, true) => "True (ByValue, ByPropertyName)",
            (true, false) => "True (ByValue)",
            (false, true) => "True (ByPropertyName)",
            _ => "False",
        });
        _w.WriteAttributeString("position", position < 0 ? "named" : position.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var aliasList = aliases.ToList();
        _w.WriteAttributeString("aliases", aliasList.Count == 0 ? "none" : string.Join(", ", aliasList));
        _w.WriteElementString("name", Maml, name);
        Paragraphs("description", Maml, help);
        var typeName = FriendlyName(type);
        if (type != typeof(SwitchParameter))
        {
            _w.WriteStartElement("parameterValue", Command);
            _w.WriteAttributeString("required", "true");
            _w.WriteAttributeString("variableLength", type.IsArray ? "true" : "false");
            _w.WriteString(typeName);
            _w.WriteEndElement();
        }

        _w.WriteStartElement("type", Dev);
        _w.WriteElementString("name", Maml, typeName);
        _w.WriteElementString("uri", Maml, string.Empty);
        _w.WriteEndElement();
        _w.WriteElementString("defaultValue", Dev, required ? "None" : defaultValue ?? (type == typeof(SwitchParameter) ? "False" : "None"));
        _w.WriteEndElement();
    }

    private void TypeNotes(string container, string element, IReadOnlyList<HelpTypeNote> notes)
    {
        _w.WriteStartElement(container, Command);
        foreach (var n in notes)
        {
            _w.WriteStartElement(element, Command);
            _w.WriteStartElement("type", Dev);
            _w.WriteElementString("name", Maml, n.TypeName);
            _w.WriteEndElement();
            Paragraphs("description", Maml, n.Description);
            _w.WriteEndElement();
        }

        _w.WriteEndElement();
    }

    private void Paragraphs(string element, string ns, IEnumerable<string> paragraphs)
    {
        _w.WriteStartElement(element, ns);
        foreach (var p in paragraphs)
        {
            _w.WriteElementString("para", Maml, p);
        }

        _w.WriteEndElement();
    }

    /// <summary>The type name Get-Help shows: String[], DateTime (not Nullable`1), KvObjectType[].</summary>
    public static string FriendlyName(Type type)
    {
        if (type.IsArray)
        {
            return FriendlyName(type.GetElementType()!) + "[]";
        }

        var underlying = Nullable.GetUnderlyingType(type);
        return underlying is not null ? FriendlyName(underlying) : type.Name;
    }
}
