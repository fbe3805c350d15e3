using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// Compares a reference archive with a vault's listing (<see cref="ForVault"/>, then <see cref="AddListed"/> per item
/// and <see cref="Complete"/>) or with a second archive (<see cref="Between"/>): objects only in one of them, and
/// objects whose current version or properties differ (<see cref="ChangeDetection"/>). Certificates' managed keys
/// and secrets are left out on both sides (a certificate's backup carries them). Results come sorted by type and name.
/// </summary>
/// <remarks>
/// A listing shows each object's current version only: a change to an older version's properties is not seen
/// against a vault (two archives compare every version they recorded). An archive holding several vaults is
/// compared on the rows of the compared vault (and rows naming none, as imported files do).
/// </remarks>
public sealed class ArchiveComparison
{
    private readonly ArchiveReader _reference;
    private readonly Uri _vault;
    private readonly HashSet<KvObjectType> _types;
    private readonly bool _includeEqual;
    private readonly Dictionary<(KvObjectType, string), KvObject> _listed = [];

    private ArchiveComparison(ArchiveReader reference, Uri vault, IEnumerable<KvObjectType> types, bool includeEqual)
    {
        _reference = reference;
        _vault = vault;
        _types = [.. types];
        _includeEqual = includeEqual;
    }

    /// <summary>Starts comparing an archive with a vault, for the given kinds of objects.</summary>
    public static ArchiveComparison ForVault(ArchiveReader reference, Uri vaultUri, IEnumerable<KvObjectType> types, bool includeEqual = false)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(vaultUri);
        ArgumentNullException.ThrowIfNull(types);
        return new ArchiveComparison(reference, vaultUri, types, includeEqual);
    }

    /// <summary>An item of the vault's listing (of one of the compared kinds).</summary>
    public void AddListed(KvObject item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (!item.Managed && _types.Contains(item.Type))
        {
            _listed[(item.Type, item.Name.ToLowerInvariant())] = item;
        }
    }

    /// <summary>The differences, sorted by type and name.</summary>
    public IReadOnlyList<KvDifference> Complete()
    {
        var results = new List<KvDifference>();
        var multiVault = _reference.SourceVaults.Count > 1;
        var seen = new HashSet<(KvObjectType, string)>();
        foreach (var item in _reference.Items)
        {
            var row = item.Row;
            if (!_types.Contains(row.Kind) || row.Managed || row.Status == ArchiveEntryStatus.Skipped
                || (multiVault && row.VaultUri is { } from && !SameVault(from, _vault)))
            {
                continue;
            }

            var key = (row.Kind, row.Name.ToLowerInvariant());
            if (!seen.Add(key))
            {
                continue;
            }

            if (!_listed.TryGetValue(key, out var listed))
            {
                results.Add(Difference(item, KvDifferenceState.Removed, [], null));
                continue;
            }

            var changes = ChangeDetection.Differences(row, listed);
            if (changes.Count > 0 || _includeEqual)
            {
                results.Add(Difference(item, changes.Count > 0 ? KvDifferenceState.Changed : KvDifferenceState.Unchanged, changes, listed));
            }
        }

        foreach (var (key, listed) in _listed)
        {
            if (!seen.Contains(key))
            {
                results.Add(new KvDifference
                {
                    Type = listed.Type,
                    Name = listed.Name,
                    State = KvDifferenceState.Added,
                    Path = _reference.Path,
                    VaultUri = listed.VaultUri,
                    DifferenceVersion = listed.Version,
                    DifferenceUpdatedOn = listed.UpdatedOn,
                });
            }
        }

        return Sorted(results);
    }

    /// <summary>Compares two archives, for the given kinds (all when null), sorted by type and name.</summary>
    public static IReadOnlyList<KvDifference> Between(ArchiveReader reference, ArchiveReader difference, IEnumerable<KvObjectType>? types = null, bool includeEqual = false)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(difference);
        var kinds = new HashSet<KvObjectType>(types ?? [KvObjectType.Certificate, KvObjectType.Key, KvObjectType.Secret]);
        bool Compared(ArchiveEntryDocument row) => kinds.Contains(row.Kind) && !row.Managed && row.Status != ArchiveEntryStatus.Skipped;

        var other = new Dictionary<(KvObjectType, string), ArchiveEntryDocument>();
        foreach (var item in difference.Items)
        {
            if (Compared(item.Row))
            {
                other.TryAdd((item.Type, item.Name.ToLowerInvariant()), item.Row);
            }
        }

        var results = new List<KvDifference>();
        var seen = new HashSet<(KvObjectType, string)>();
        foreach (var item in reference.Items)
        {
            var key = (item.Type, item.Name.ToLowerInvariant());
            if (!Compared(item.Row) || !seen.Add(key))
            {
                continue;
            }

            if (!other.TryGetValue(key, out var row))
            {
                results.Add(new KvDifference { Type = item.Type, Name = item.Name, State = KvDifferenceState.Removed, Path = reference.Path, DifferencePath = difference.Path, ReferenceVersion = item.Version, ReferenceUpdatedOn = item.UpdatedOn, BackedUpOn = item.BackedUpOn });
                continue;
            }

            var changes = ChangeDetection.Differences(item.Row, row);
            if (changes.Count > 0 || includeEqual)
            {
                results.Add(new KvDifference
                {
                    Type = item.Type,
                    Name = item.Name,
                    State = changes.Count > 0 ? KvDifferenceState.Changed : KvDifferenceState.Unchanged,
                    Changes = changes,
                    Path = reference.Path,
                    DifferencePath = difference.Path,
                    ReferenceVersion = item.Version,
                    DifferenceVersion = row.Version,
                    ReferenceUpdatedOn = item.UpdatedOn,
                    DifferenceUpdatedOn = row.UpdatedOn,
                    BackedUpOn = item.BackedUpOn,
                });
            }
        }

        foreach (var (key, row) in other)
        {
            if (!seen.Contains(key))
            {
                results.Add(new KvDifference { Type = row.Kind, Name = row.Name, State = KvDifferenceState.Added, Path = reference.Path, DifferencePath = difference.Path, DifferenceVersion = row.Version, DifferenceUpdatedOn = row.UpdatedOn });
            }
        }

        return Sorted(results);
    }

    private KvDifference Difference(ArchiveItem item, KvDifferenceState state, IReadOnlyList<string> changes, KvObject? listed) => new()
    {
        Type = item.Type,
        Name = item.Name,
        State = state,
        Changes = changes,
        Path = _reference.Path,
        VaultUri = listed?.VaultUri ?? _vault,
        ReferenceVersion = item.Version,
        DifferenceVersion = listed?.Version,
        ReferenceUpdatedOn = item.UpdatedOn,
        DifferenceUpdatedOn = listed?.UpdatedOn,
        BackedUpOn = item.BackedUpOn,
    };

    private static bool SameVault(Uri a, Uri b) => string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    private static List<KvDifference> Sorted(List<KvDifference> results)
        => [.. results.OrderBy(d => d.Type).ThenBy(d => d.Name, StringComparer.OrdinalIgnoreCase)];
}
