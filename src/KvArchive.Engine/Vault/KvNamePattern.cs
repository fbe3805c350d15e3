namespace KvArchive.Engine.Vault;

/// <summary>
/// A name filter like PowerShell's wildcards, kept simple: <c>*</c> matches any run of characters, <c>?</c> one
/// character, everything else itself, case-insensitively (Key Vault names are case-insensitive).
/// </summary>
public sealed class KvNamePattern
{
    private readonly string _pattern;

    /// <summary>Creates a pattern; null or empty matches every name.</summary>
    public KvNamePattern(string? pattern) => _pattern = string.IsNullOrEmpty(pattern) ? "*" : pattern;

    /// <summary>The pattern text.</summary>
    public string Pattern => _pattern;

    /// <summary>True when the pattern has a wildcard (so a miss is not an error).</summary>
    public bool HasWildcards => _pattern.AsSpan().IndexOfAny('*', '?') >= 0;

    /// <summary>Whether a name matches the whole pattern.</summary>
    public bool IsMatch(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var p = _pattern.AsSpan();
        var s = name.AsSpan();
        int pi = 0, si = 0, starAt = -1, resumeAt = 0;
        while (si < s.Length)
        {
            if (pi < p.Length && (p[pi] == '?' || CharEquals(p[pi], s[si])))
            {
                pi++;
                si++;
            }
            else if (pi < p.Length && p[pi] == '*')
            {
                // Let the star match nothing for now; come back and let it take one more character on a miss.
                starAt = pi++;
                resumeAt = si;
            }
            else if (starAt >= 0)
            {
                pi = starAt + 1;
                si = ++resumeAt;
            }
            else
            {
                return false;
            }
        }

        while (pi < p.Length && p[pi] == '*')
        {
            pi++;
        }

        return pi == p.Length;
    }

    /// <inheritdoc />
    public override string ToString() => _pattern;

    private static bool CharEquals(char a, char b) => a == b || char.ToUpperInvariant(a) == char.ToUpperInvariant(b);
}
