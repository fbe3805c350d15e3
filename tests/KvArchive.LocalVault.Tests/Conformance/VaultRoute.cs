using System.Text.RegularExpressions;

namespace KvArchive.LocalVault.Tests.Conformance;

/// <summary>A Key Vault data-plane path taken apart: collection, name, version, action.</summary>
public sealed partial record VaultRoute(string Collection, string? Name, string? Version, string? Action)
{
    private static readonly HashSet<string> Actions = new(StringComparer.OrdinalIgnoreCase)
    {
        "versions", "backup", "create", "import", "pending", "policy", "recover", "rotate", "rotationpolicy",
    };

    [GeneratedRegex("^[0-9a-f]{32}$", RegexOptions.IgnoreCase)]
    public static partial Regex VersionRegex();

    /// <summary>secrets, keys, certificates or issuers (the live kind, also for deleted collections).</summary>
    public string Kind => Collection.StartsWith("deleted", StringComparison.Ordinal) ? Collection["deleted".Length..] : Collection;

    public bool IsDeletedCollection => Collection.StartsWith("deleted", StringComparison.Ordinal);

    /// <summary>GET of a collection or of versions: a list.</summary>
    public bool IsList => (Name is null && Action is null) || Action == "versions";

    public bool IsRestore => Name is null && Action == "restore";

    public static VaultRoute Parse(Uri url)
    {
        var segments = url.AbsolutePath.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        if (segments.Length == 0)
        {
            return new VaultRoute(string.Empty, null, null, null);
        }

        var collection = segments[0].ToLowerInvariant();

        // Certificate issuers (certificates/issuers[/{name}]) are a collection of their own, not a certificate named "issuers".
        if (collection == "certificates" && segments.Length is 2 or 3 && segments[1].Equals("issuers", StringComparison.OrdinalIgnoreCase))
        {
            return new VaultRoute("issuers", segments.Length == 3 ? segments[2] : null, null, null);
        }

        if (segments.Length == 1)
        {
            return new VaultRoute(collection, null, null, null);
        }

        if (segments[1].Equals("restore", StringComparison.OrdinalIgnoreCase) && segments.Length == 2)
        {
            return new VaultRoute(collection, null, null, "restore");
        }

        var name = segments[1];
        string? version = null;
        string? action = null;
        for (var i = 2; i < segments.Length; i++)
        {
            if (Actions.Contains(segments[i]))
            {
                action = action is null ? segments[i].ToLowerInvariant() : action + "/" + segments[i].ToLowerInvariant();
            }
            else if (i == 2 && VersionRegex().IsMatch(segments[i]))
            {
                version = segments[i];
            }
            else
            {
                action = action is null ? segments[i].ToLowerInvariant() : action + "/" + segments[i].ToLowerInvariant();
            }
        }

        return new VaultRoute(collection, name, version, action);
    }
}
