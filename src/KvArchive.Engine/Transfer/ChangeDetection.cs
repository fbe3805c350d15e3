using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// What tells an object changed since an archive recorded it, from what a listing shows of its current version:
/// its id (where the listing gives it), created and updated times, state, validity, content type, tags and (for a
/// certificate) thumbprint. A new version or any property change of the current version moves its updated time;
/// the other properties are compared too, so that a copy restored with the old times still counts as different
/// when its properties are. A listing does not show older versions: a change to one of those is not seen here.
/// </summary>
internal static class ChangeDetection
{
    /// <summary>The names of the properties that differ between an archive's row and the vault's listing item; empty when none.</summary>
    public static IReadOnlyList<string> Differences(ArchiveEntryDocument row, KvObject listed)
    {
        var changes = new List<string>();
        if (row.Status is not (ArchiveEntryStatus.Saved or ArchiveEntryStatus.Changed))
        {
            changes.Add("Status");
        }

        if (row.Version is not null && listed.Version is not null && !string.Equals(row.Version, listed.Version, StringComparison.OrdinalIgnoreCase))
        {
            changes.Add("Version");
        }

        Compare(changes, row.CreatedOn, listed.CreatedOn, "CreatedOn");
        Compare(changes, row.UpdatedOn, listed.UpdatedOn, "UpdatedOn");
        Compare(changes, row.Enabled, listed.Enabled, "Enabled");
        Compare(changes, row.NotBefore, listed.NotBefore, "NotBefore");
        Compare(changes, row.ExpiresOn, listed.ExpiresOn, "ExpiresOn");
        if (!string.Equals(row.ContentType, listed.ContentType, StringComparison.Ordinal))
        {
            changes.Add("ContentType");
        }

        if (!SameTags(row.Tags, listed.Tags))
        {
            changes.Add("Tags");
        }

        if (row.Thumbprint is not null && listed.Thumbprint is not null && !string.Equals(row.Thumbprint, listed.Thumbprint, StringComparison.OrdinalIgnoreCase))
        {
            changes.Add("Thumbprint");
        }

        return changes;
    }

    /// <summary>The names of the properties that differ between two archives' rows of one object, every version's times included.</summary>
    public static IReadOnlyList<string> Differences(ArchiveEntryDocument reference, ArchiveEntryDocument difference)
    {
        var changes = new List<string>();
        if ((reference.Status is ArchiveEntryStatus.Saved or ArchiveEntryStatus.Changed) != (difference.Status is ArchiveEntryStatus.Saved or ArchiveEntryStatus.Changed))
        {
            changes.Add("Status");
        }

        if (!string.Equals(reference.Version, difference.Version, StringComparison.OrdinalIgnoreCase))
        {
            changes.Add("Version");
        }

        Compare(changes, reference.CreatedOn, difference.CreatedOn, "CreatedOn");
        Compare(changes, reference.UpdatedOn, difference.UpdatedOn, "UpdatedOn");
        Compare(changes, reference.Enabled, difference.Enabled, "Enabled");
        Compare(changes, reference.NotBefore, difference.NotBefore, "NotBefore");
        Compare(changes, reference.ExpiresOn, difference.ExpiresOn, "ExpiresOn");
        if (!string.Equals(reference.ContentType, difference.ContentType, StringComparison.Ordinal))
        {
            changes.Add("ContentType");
        }

        if (!SameTags(reference.Tags, difference.Tags))
        {
            changes.Add("Tags");
        }

        if (!string.Equals(reference.Thumbprint, difference.Thumbprint, StringComparison.OrdinalIgnoreCase))
        {
            changes.Add("Thumbprint");
        }

        // Both archives listed every version: an older version's change shows here, not in a listing.
        if (reference.Versions is { } a && difference.Versions is { } b && !SameVersions(a, b))
        {
            changes.Add("Versions");
        }

        return changes;
    }

    private static void Compare<T>(List<string> changes, T? a, T? b, string name)
        where T : struct
    {
        if (!Nullable.Equals(a, b))
        {
            changes.Add(name);
        }
    }

    private static bool SameTags(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b)
    {
        var left = a ?? new Dictionary<string, string>();
        var right = b ?? new Dictionary<string, string>();
        return left.Count == right.Count && left.All(t => right.TryGetValue(t.Key, out var v) && string.Equals(v, t.Value, StringComparison.Ordinal));
    }

    private static bool SameVersions(List<ArchiveVersion> a, List<ArchiveVersion> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        var byId = a.ToDictionary(v => v.Version, StringComparer.OrdinalIgnoreCase);
        return b.All(v => byId.TryGetValue(v.Version, out var w)
            && (w.CreatedOn, w.UpdatedOn, w.Enabled, w.NotBefore, w.ExpiresOn) == (v.CreatedOn, v.UpdatedOn, v.Enabled, v.NotBefore, v.ExpiresOn));
    }
}
