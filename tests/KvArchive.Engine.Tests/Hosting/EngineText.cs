using System.Text.RegularExpressions;

namespace KvArchive.Engine.Tests.Hosting;

/// <summary>The engine raises ids and facts; the module words the remedy. Checks that engine text names no cmdlet or parameter.</summary>
internal static partial class EngineText
{
    public static void AssertNamesNoCommand(IEnumerable<string?> texts)
    {
        foreach (var text in texts.OfType<string>())
        {
            Assert.False(Parameter().IsMatch(text), $"Engine text names a parameter: {text}");
            Assert.False(Cmdlet().IsMatch(text), $"Engine text names a cmdlet: {text}");
        }
    }

    [GeneratedRegex(@"(^|[\s(])-[A-Z][A-Za-z]+")]
    private static partial Regex Parameter();

    [GeneratedRegex(@"\b[A-Z][a-z]+-Kv[A-Z]")]
    private static partial Regex Cmdlet();
}
