using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// Pure mapping between what the vault says of an object and what the archive records of it, and the
/// comparisons that tell whether an object changed. No vault, no file: unit-tested alone.
/// </summary>
internal static class ArchiveMapping
{
    /// <summary>The manifest row of an object: the current version's properties and every version's times.</summary>
    /// <param name="type">Its kind.</param>
    /// <param name="name">Its name as asked for (used when nothing was read).</param>
    /// <param name="vaultUri">Its vault.</param>
    /// <param name="listed">The listing item it came from, if any (used when no versions were read).</param>
    /// <param name="versions">Its versions, newest first, or null when none were read.</param>
    /// <param name="status">What the backup did with it.</param>
    /// <param name="reason">Why, when not saved.</param>
    /// <param name="managed">True for a certificate's own key or secret.</param>
    public static ArchiveEntryDocument ToDocument(KvObjectType type, string name, Uri? vaultUri, KvObject? listed, IReadOnlyList<KvObject>? versions, ArchiveEntryStatus status, string? reason, bool managed = false)
    {
        var current = Current(versions) ?? listed;
        return new ArchiveEntryDocument
        {
            Kind = type,
            Name = current?.Name ?? name,
            VaultUri = vaultUri,
            Status = status,
            Reason = reason,
            Version = current?.Version,
            Enabled = current?.Enabled,
            NotBefore = current?.NotBefore,
            ExpiresOn = current?.ExpiresOn,
            CreatedOn = current?.CreatedOn,
            UpdatedOn = current?.UpdatedOn,
            ContentType = current?.ContentType,
            Tags = current is { Tags.Count: > 0 } ? new Dictionary<string, string>(current.Tags, StringComparer.Ordinal) : null,
            Managed = managed || current?.Managed == true,
            KeyType = current?.KeyType,
            CurveName = current?.CurveName,
            Thumbprint = current?.Thumbprint,
            Versions = versions?.Select(ToVersion).ToList(),
        };
    }

    /// <summary>One version's row in the manifest.</summary>
    public static ArchiveVersion ToVersion(KvObject version) => new()
    {
        Version = version.Version ?? string.Empty,
        CreatedOn = version.CreatedOn,
        UpdatedOn = version.UpdatedOn,
        Enabled = version.Enabled,
        NotBefore = version.NotBefore,
        ExpiresOn = version.ExpiresOn,
    };

    /// <summary>The current version: the newest created (the service lists newest first, so ties keep list order).</summary>
    public static KvObject? Current(IReadOnlyList<KvObject>? versions)
    {
        KvObject? current = null;
        foreach (var v in versions ?? [])
        {
            if (current is null || (v.CreatedOn ?? DateTimeOffset.MinValue) > (current.CreatedOn ?? DateTimeOffset.MinValue))
            {
                current = v;
            }
        }

        return current;
    }

    /// <summary>Same version ids with the same updated times and state: nothing was added or changed in between.</summary>
    public static bool SameVersions(IReadOnlyList<KvObject> before, IReadOnlyList<KvObject> after)
    {
        if (before.Count != after.Count)
        {
            return false;
        }

        var updated = before.ToDictionary(v => v.Version ?? string.Empty, v => (v.UpdatedOn, v.Enabled, v.ExpiresOn, v.NotBefore), StringComparer.OrdinalIgnoreCase);
        return after.All(v => updated.TryGetValue(v.Version ?? string.Empty, out var b) && b == (v.UpdatedOn, v.Enabled, v.ExpiresOn, v.NotBefore));
    }

    /// <summary>
    /// The listing shows the current version as it was recorded: same times, state and validity (and thumbprint,
    /// for certificates). A new version, or any change to the current one, moves its times.
    /// </summary>
    public static bool SameAsListed(KvObject current, KvObject listed)
        => listed.UpdatedOn == current.UpdatedOn
            && listed.CreatedOn == current.CreatedOn
            && listed.Enabled == current.Enabled
            && listed.NotBefore == current.NotBefore
            && listed.ExpiresOn == current.ExpiresOn
            && (listed.Thumbprint is null || current.Thumbprint is null || string.Equals(listed.Thumbprint, current.Thumbprint, StringComparison.OrdinalIgnoreCase));
}
