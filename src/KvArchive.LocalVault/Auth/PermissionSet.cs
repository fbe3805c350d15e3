namespace KvArchive.LocalVault.Auth;

/// <summary>
/// What an identity may do: permission names such as "secrets/get"; "secrets/*" and "*" are wildcards.
/// <see cref="All"/> (no list given) allows everything.
/// </summary>
public sealed class PermissionSet
{
    public static readonly PermissionSet All = new(null);

    private readonly HashSet<string>? _allowed;

    private PermissionSet(HashSet<string>? allowed)
    {
        _allowed = allowed;
    }

    /// <summary>The names as given (null for all).</summary>
    public IReadOnlyCollection<string>? Names => _allowed;

    public static PermissionSet From(IEnumerable<string>? permissions)
        => permissions is null ? All : new PermissionSet(new HashSet<string>(permissions.Select(p => p.Trim()), StringComparer.OrdinalIgnoreCase));

    public bool Allows(string permission)
    {
        if (_allowed is null || _allowed.Contains("*") || _allowed.Contains(permission))
        {
            return true;
        }

        var slash = permission.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && _allowed.Contains(string.Concat(permission.AsSpan(0, slash), "/*"));
    }
}
