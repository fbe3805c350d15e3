using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Connection;

/// <summary>Turns what a user typed (-VaultName, -VaultUri) into a checked vault URI and name.</summary>
public static class VaultAddress
{
    /// <summary>The DNS suffix of vaults in the Azure public cloud.</summary>
    public const string PublicCloudSuffix = "vault.azure.net";

    /// <summary>
    /// The public-cloud URI of a vault name: <c>prod</c> → <c>https://prod.vault.azure.net/</c>. Other clouds and
    /// LocalVault are addressed with a full URI instead.
    /// </summary>
    /// <exception cref="KvException">The name is not a valid vault name (InvalidArgument, <see cref="KvErrorIds.InvalidVault"/>).</exception>
    public static Uri FromVaultName(string vaultName)
    {
        ArgumentNullException.ThrowIfNull(vaultName);
        var problem = DescribeInvalidVaultName(vaultName);
        if (problem is not null)
        {
            throw new KvException(
                KvErrorKind.InvalidArgument,
                KvErrorIds.InvalidVault,
                $"'{vaultName}' is not a valid vault name: {problem}. A vault name stands for a vault in the Azure public cloud only.");
        }

        return new Uri($"https://{vaultName.ToLowerInvariant()}.{PublicCloudSuffix}/");
    }

    /// <summary>
    /// Checks a vault URI (absolute, https, a host, no path beyond "/", no query or fragment) and returns it in
    /// canonical form <c>https://host[:port]/</c>.
    /// </summary>
    /// <exception cref="KvException">The URI cannot be a vault (InvalidArgument, <see cref="KvErrorIds.InvalidVault"/>).</exception>
    public static Uri Normalize(Uri vaultUri)
    {
        ArgumentNullException.ThrowIfNull(vaultUri);
        string? problem = null;
        if (!vaultUri.IsAbsoluteUri)
        {
            problem = "it is not an absolute URI";
        }
        else if (!string.Equals(vaultUri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase))
        {
            problem = $"the scheme is '{vaultUri.Scheme}', but Key Vault is reached only over https";
        }
        else if (string.IsNullOrEmpty(vaultUri.Host))
        {
            problem = "it has no host";
        }
        else if (!string.IsNullOrEmpty(vaultUri.UserInfo))
        {
            problem = "it carries user information";
        }
        else if (vaultUri.AbsolutePath != "/")
        {
            problem = $"it has the path '{vaultUri.AbsolutePath}'; a vault URI ends at the host (and port)";
        }
        else if (!string.IsNullOrEmpty(vaultUri.Query) || !string.IsNullOrEmpty(vaultUri.Fragment))
        {
            problem = "it has a query or fragment";
        }
        else if (vaultUri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            // Key Vault checks that its challenge's resource matches the vault's DNS name, which an IP address never
            // does, and the vault's name is the host's first label: refused here rather than failing at sign-in.
            problem = "its host is an IP address, and a vault is addressed by its DNS name (its first label is the vault's name); for a LocalVault vault use https://<name>.vault.localhost:<port>/";
        }
        else if (VaultNameOf(vaultUri.Host).Length == 0)
        {
            problem = "its host does not start with a vault name";
        }

        if (problem is not null)
        {
            // Never echo user information (it may hold a password).
            var shown = vaultUri.IsAbsoluteUri
                ? vaultUri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped)
                : vaultUri.OriginalString;
            throw new KvException(
                KvErrorKind.InvalidArgument,
                KvErrorIds.InvalidVault,
                $"'{shown}' is not a vault URI: {problem}. A vault URI looks like https://<name>.vault.azure.net/.");
        }

        var port = vaultUri.IsDefaultPort ? string.Empty : ":" + vaultUri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new Uri($"https://{vaultUri.IdnHost.ToLowerInvariant()}{port}/");
    }

    /// <summary>The vault name of a vault URI: the first label of its host.</summary>
    public static string GetVaultName(Uri vaultUri)
    {
        ArgumentNullException.ThrowIfNull(vaultUri);
        return VaultNameOf(vaultUri.Host);
    }

    private static string VaultNameOf(string host)
    {
        var dot = host.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? host : host[..dot];
    }

    /// <summary>Azure's rules for vault names: 3-24 of a-z, 0-9 and '-', starting with a letter, no '--', not ending with '-'.</summary>
    internal static string? DescribeInvalidVaultName(string name)
    {
        if (name.Length is < 3 or > 24)
        {
            return "a vault name has 3 to 24 characters";
        }

        if (!char.IsAsciiLetter(name[0]))
        {
            return "a vault name starts with a letter";
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return "a vault name has only letters, digits and '-'";
            }
        }

        if (name.EndsWith('-') || name.Contains("--", StringComparison.Ordinal))
        {
            return "a vault name does not end with '-' nor contain '--'";
        }

        return null;
    }
}
