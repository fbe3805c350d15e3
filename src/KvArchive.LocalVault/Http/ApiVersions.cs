using System.Collections.Frozen;

namespace KvArchive.LocalVault.Http;

/// <summary>The api-versions LocalVault answers (every stable one and the previews the SDKs send); others get 400.</summary>
public static class ApiVersions
{
    public const string Latest = "2026-04-01";

    private static readonly FrozenSet<string> Known = new[]
    {
        "2015-06-01", "2016-10-01",
        "7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6",
        "7.2-preview", "7.3-preview", "7.4-preview.1", "7.5-preview.1", "7.6-preview.1", "7.6-preview.2",
        "2025-06-01-preview", "2025-07-01", "2026-04-01", "2026-05-01-preview", "2026-07-01-preview",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The request's api-version, or a 400 BadParameter.</summary>
    public static string Require(HttpRequest request)
    {
        var values = request.Query["api-version"];
        if (values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            throw VaultErrors.BadParameter("The api-version query parameter is missing. Supported versions include " + Latest + ".");
        }

        var version = values[0]!;
        if (values.Count > 1 || !Known.Contains(version))
        {
            throw VaultErrors.BadParameter($"The specified version ({version}) is not recognized. Consider using the latest supported version ({Latest}).");
        }

        return version;
    }
}
