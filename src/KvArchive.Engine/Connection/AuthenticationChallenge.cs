namespace KvArchive.Engine.Connection;

/// <summary>
/// The parameters of a <c>WWW-Authenticate: Bearer …</c> challenge, as Key Vault sends them:
/// <c>Bearer authorization="https://login.microsoftonline.com/{tenant}", resource="https://vault.azure.net"</c>
/// (older services: <c>authorization_uri</c>; newer ones may send <c>scope</c>).
/// </summary>
internal sealed class AuthenticationChallenge
{
    private AuthenticationChallenge(IReadOnlyDictionary<string, string> parameters) => Parameters = parameters;

    /// <summary>The challenge's parameters, keys compared case-insensitively.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>The authority URI (authorization or authorization_uri), or null.</summary>
    public string? Authorization => Get("authorization") ?? Get("authorization_uri");

    /// <summary>The resource (or scope) the token must be for, or null.</summary>
    public string? Resource => Get("resource") ?? Get("scope");

    /// <summary>The scope to ask a credential for: the challenge's scope, else resource + "/.default".</summary>
    public string? Scope
    {
        get
        {
            var scope = Get("scope");
            if (!string.IsNullOrEmpty(scope))
            {
                return scope;
            }

            var resource = Get("resource");
            return string.IsNullOrEmpty(resource) ? null : resource.TrimEnd('/') + "/.default";
        }
    }

    /// <summary>The tenant named by the authority's path (its first segment), or null.</summary>
    public string? TenantId
    {
        get
        {
            if (!Uri.TryCreate(Authorization, UriKind.Absolute, out var authority))
            {
                return null;
            }

            var segment = authority.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            return string.IsNullOrEmpty(segment) ? null : segment;
        }
    }

    /// <summary>Parses the Bearer challenge among the header values; null when there is none.</summary>
    public static AuthenticationChallenge? ParseBearer(string? headerValue)
    {
        if (string.IsNullOrWhiteSpace(headerValue))
        {
            return null;
        }

        // Several challenges may share one header ("Bearer a=b, PoP c=d"). Find the Bearer one and read its
        // comma-separated name=value pairs until the next scheme token.
        var text = headerValue.AsSpan();
        var start = IndexOfScheme(text, "Bearer");
        if (start < 0)
        {
            return null;
        }

        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = start + "Bearer".Length;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ' ' || text[i] == ','))
            {
                i++;
            }

            var nameStart = i;
            while (i < text.Length && text[i] != '=' && text[i] != ' ' && text[i] != ',')
            {
                i++;
            }

            var name = text[nameStart..i].ToString();
            if (i >= text.Length || text[i] != '=')
            {
                // A bare token after parameters is the next challenge's scheme.
                break;
            }

            i++; // '='
            string value;
            if (i < text.Length && text[i] == '"')
            {
                i++;
                var valueStart = i;
                while (i < text.Length && text[i] != '"')
                {
                    i++;
                }

                value = text[valueStart..i].ToString();
                i++; // closing quote
            }
            else
            {
                var valueStart = i;
                while (i < text.Length && text[i] != ',' && text[i] != ' ')
                {
                    i++;
                }

                value = text[valueStart..i].ToString();
            }

            if (name.Length > 0)
            {
                parameters[name] = value;
            }
        }

        return new AuthenticationChallenge(parameters);
    }

    private string? Get(string name) => Parameters.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v : null;

    private static int IndexOfScheme(ReadOnlySpan<char> text, string scheme)
    {
        var from = 0;
        while (from < text.Length)
        {
            var found = text[from..].IndexOf(scheme.AsSpan(), StringComparison.OrdinalIgnoreCase);
            if (found < 0)
            {
                return -1;
            }

            var at = from + found;
            var startsToken = at == 0 || text[at - 1] == ' ' || text[at - 1] == ',';
            var endsToken = at + scheme.Length == text.Length || text[at + scheme.Length] == ' ';
            if (startsToken && endsToken)
            {
                return at;
            }

            from = at + scheme.Length;
        }

        return -1;
    }
}
