using System.Collections;
using System.Globalization;
using System.Net;
using System.Security;

namespace KvArchive.Commands;

/// <summary>Turns PowerShell-friendly parameter values into what the engine takes.</summary>
internal static class ParameterConversion
{
    /// <summary>A -Tag hashtable as string pairs (values formatted invariantly; $null becomes "").</summary>
    public static IReadOnlyDictionary<string, string>? ToTags(Hashtable? tags)
    {
        if (tags is null)
        {
            return null;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in tags)
        {
            var key = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
            result[key] = entry.Value is null ? string.Empty : Convert.ToString(UnwrapPSObject(entry.Value), CultureInfo.InvariantCulture) ?? string.Empty;
        }

        return result;
    }

    /// <summary>A date as an offset; unspecified kinds are taken as local time, as Get-Date returns.</summary>
    public static DateTimeOffset? ToOffset(DateTime? value) => value is { } v
        ? (v.Kind == DateTimeKind.Utc ? new DateTimeOffset(v) : new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Local)))
        : null;

    /// <summary>The plain text of a SecureString, only to hand it to the engine. Never log it.</summary>
    public static string ToPlainText(SecureString value) => new NetworkCredential(string.Empty, value).Password;

    private static object UnwrapPSObject(object value) =>
        value is System.Management.Automation.PSObject pso ? pso.BaseObject : value;
}
