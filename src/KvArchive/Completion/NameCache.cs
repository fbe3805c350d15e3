using System.Collections.Concurrent;
using System.Management.Automation;

namespace KvArchive.Completion;

/// <summary>Names listed for completion, per vault and kind, kept briefly and shared by every runspace.</summary>
internal static class NameCache
{
    /// <summary>How long a listing answers completions before the vault is asked again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private static readonly ConcurrentDictionary<string, (DateTime Until, string[] Names)> Entries = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The cached names for a key, or the ones <paramref name="list"/> gives (kept only when it gave some).</summary>
    public static string[] GetOrList(string key, Func<string[]?> list)
    {
        var now = DateTime.UtcNow;
        if (Entries.TryGetValue(key, out var entry) && entry.Until > now)
        {
            return entry.Names;
        }

        var names = list();
        if (names is null)
        {
            return [];
        }

        Entries[key] = (now + Lifetime, names);
        return names;
    }

    /// <summary>Completion results for the names that start with the word (wildcards allowed), quoted when needed.</summary>
    public static IEnumerable<CompletionResult> Complete(IEnumerable<string> names, string wordToComplete)
    {
        var word = (wordToComplete ?? string.Empty).Trim('\'', '"');
        var pattern = new WildcardPattern(word + "*", WildcardOptions.IgnoreCase);
        foreach (var name in names.Where(pattern.IsMatch).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase))
        {
            // Key Vault names are letters, digits and dashes; archive names may carry more, so quote when needed.
            var text = name.All(c => char.IsLetterOrDigit(c) || c == '-') ? name : "'" + name.Replace("'", "''", StringComparison.Ordinal) + "'";
            yield return new CompletionResult(text, name, CompletionResultType.ParameterValue, name);
        }
    }
}
