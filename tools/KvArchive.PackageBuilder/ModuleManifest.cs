using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;

namespace KvArchive.PackageBuilder;

/// <summary>
/// A module manifest read with PowerShell's own parser, the way Import-PowerShellDataFile and PSResourceGet read
/// it: a data file evaluated without running anything. It can also rewrite one PrivateData.PSData value in place,
/// leaving every other character of the file as it was.
/// </summary>
internal sealed class ModuleManifest
{
    private static readonly char[] SingleQuotes = ['\'', '\u2018', '\u2019', '\u201A', '\u201B'];

    private readonly string _text;
    private readonly HashtableAst _root;

    private ModuleManifest(string path, string text, HashtableAst root, Hashtable data)
    {
        Path = path;
        _text = text;
        _root = root;
        Data = data;
        PSData = Lookup(Lookup(data, "PrivateData") as Hashtable, "PSData") as Hashtable ?? [];
    }

    /// <summary>The .psd1 file.</summary>
    public string Path { get; }

    /// <summary>The module name, which is the package id (the manifest's file name, as PowerShellGet takes it).</summary>
    public string Name => System.IO.Path.GetFileNameWithoutExtension(Path);

    /// <summary>The top-level hashtable.</summary>
    public Hashtable Data { get; }

    /// <summary>PrivateData.PSData (empty when the manifest has none).</summary>
    public Hashtable PSData { get; }

    /// <summary>Reads and parses a manifest.</summary>
    public static ModuleManifest Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new PackageException(path, "the module manifest does not exist; build src/KvArchive first.");
        }

        return Parse(path, File.ReadAllText(path));
    }

    /// <summary>A top-level string value, trimmed, or null.</summary>
    public string? GetString(string key) => (Lookup(Data, key) as string)?.Trim() is { Length: > 0 } s ? s : null;

    /// <summary>A PSData string value, trimmed, or null.</summary>
    public string? GetPSDataString(string key) => (Lookup(PSData, key) as string)?.Trim() is { Length: > 0 } s ? s : null;

    /// <summary>A top-level value that is one string or a list of strings.</summary>
    public IReadOnlyList<string> GetStrings(string key) => Strings(Lookup(Data, key));

    /// <summary>A PSData value that is one string or a list of strings.</summary>
    public IReadOnlyList<string> GetPSDataStrings(string key) => Strings(Lookup(PSData, key));

    /// <summary>
    /// The manifest's text with PrivateData.PSData.<paramref name="key"/> set to <paramref name="value"/> as a
    /// single-quoted string (added at the end of PSData when absent). Nothing else in the file changes.
    /// </summary>
    public string WithPSDataString(string key, string value)
    {
        var psData = FindHashtable(FindHashtable(_root, "PrivateData"), "PSData")
            ?? throw new PackageException(Path, "the manifest has no PrivateData = @{ PSData = @{ ... } } to hold the package metadata.");
        var literal = SingleQuoted(value);
        var existing = psData.KeyValuePairs.FirstOrDefault(p => KeyName(p.Item1) is { } k && k.Equals(key, StringComparison.OrdinalIgnoreCase));
        string text;
        if (existing is not null)
        {
            var extent = existing.Item2.Extent;
            text = string.Concat(_text.AsSpan(0, extent.StartOffset), literal, _text.AsSpan(extent.EndOffset));
        }
        else
        {
            var close = psData.Extent.EndOffset - 1;
            text = string.Concat(_text.AsSpan(0, close), $"    {key} = {literal}\n", _text.AsSpan(close));
        }

        var rewritten = Parse(Path, text);
        if (!string.Equals(rewritten.GetPSDataString(key), value.Trim(), StringComparison.Ordinal))
        {
            throw new PackageException(Path, $"could not write PSData.{key} into the manifest faithfully.");
        }

        return text;
    }

    private static ModuleManifest Parse(string path, string text)
    {
        var ast = Parser.ParseInput(text, path, out _, out var errors);
        if (errors.Length > 0)
        {
            var e = errors[0];
            throw new PackageException(path, $"the manifest does not parse (line {e.Extent.StartLineNumber}): {e.Message}");
        }

        if (ast.Find(a => a is HashtableAst, searchNestedScriptBlocks: false) is not HashtableAst root)
        {
            throw new PackageException(path, "the manifest is not a hashtable.");
        }

        try
        {
            return new ModuleManifest(path, text, root, (Hashtable)root.SafeGetValue());
        }
        catch (InvalidOperationException e)
        {
            throw new PackageException(path, "the manifest is not a plain data file: " + e.Message);
        }
    }

    private static object? Lookup(Hashtable? table, string key)
    {
        if (table is null)
        {
            return null;
        }

        foreach (DictionaryEntry entry in table)
        {
            if (entry.Key is string k && k.Equals(key, StringComparison.OrdinalIgnoreCase))
            {
                return entry.Value is PSObject pso ? pso.BaseObject : entry.Value;
            }
        }

        return null;
    }

    private static IReadOnlyList<string> Strings(object? value) => value switch
    {
        null => [],
        string s => [s.Trim()],
        IEnumerable items => items.Cast<object?>().Select(i => (i is PSObject p ? p.BaseObject : i)?.ToString()?.Trim())
            .Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).ToList(),
        _ => [value.ToString()!.Trim()],
    };

    private static HashtableAst? FindHashtable(HashtableAst? table, string key)
    {
        var pair = table?.KeyValuePairs.FirstOrDefault(p => KeyName(p.Item1) is { } k && k.Equals(key, StringComparison.OrdinalIgnoreCase));
        return (pair?.Item2 as PipelineAst)?.GetPureExpression() as HashtableAst;
    }

    private static string? KeyName(ExpressionAst key) => (key as StringConstantExpressionAst)?.Value;

    /// <summary>A PowerShell single-quoted literal: every kind of single quote is doubled, nothing else is special.</summary>
    private static string SingleQuoted(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('\'');
        foreach (var c in value.Trim())
        {
            sb.Append(c);
            if (Array.IndexOf(SingleQuotes, c) >= 0)
            {
                sb.Append(c);
            }
        }

        return sb.Append('\'').ToString();
    }
}
