using System.Collections.ObjectModel;

namespace KvArchive.Engine.Vault;

/// <summary>Small helpers shared by the stores' model mappings.</summary>
internal static class KvObjectMapping
{
    private static readonly IReadOnlyDictionary<string, string> NoTags = new ReadOnlyDictionary<string, string>(new Dictionary<string, string>());

    /// <summary>A read-only copy of tags (never null).</summary>
    public static IReadOnlyDictionary<string, string> Tags(IEnumerable<KeyValuePair<string, string>>? tags)
    {
        if (tags is null)
        {
            return NoTags;
        }

        var copy = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            copy[key] = value;
        }

        return copy.Count == 0 ? NoTags : new ReadOnlyDictionary<string, string>(copy);
    }

    /// <summary>Hex of a thumbprint (upper case, as Windows and Azure PowerShell show it).</summary>
    public static string? Hex(byte[]? bytes) => bytes is null || bytes.Length == 0 ? null : Convert.ToHexString(bytes);

    /// <summary>The name from an id, else the fallback.</summary>
    public static string NameOf(Uri? id, string? fallback)
        => ObjectPaths.Parse(id).Name ?? fallback ?? throw new InvalidOperationException("The vault returned an object without an id.");

    /// <summary>A copy of an object marked as removed, with its deletion facts.</summary>
    public static KvObject AsDeleted(KvObject live, DateTimeOffset? deletedOn, DateTimeOffset? scheduledPurgeDate, Uri? recoveryId) => new()
    {
        Type = live.Type,
        VaultName = live.VaultName,
        VaultUri = live.VaultUri,
        Name = live.Name,
        Version = live.Version,
        Id = live.Id,
        Enabled = live.Enabled,
        NotBefore = live.NotBefore,
        ExpiresOn = live.ExpiresOn,
        CreatedOn = live.CreatedOn,
        UpdatedOn = live.UpdatedOn,
        ContentType = live.ContentType,
        Tags = live.Tags,
        Managed = live.Managed,
        RecoveryLevel = live.RecoveryLevel,
        RecoverableDays = live.RecoverableDays,
        KeyType = live.KeyType,
        CurveName = live.CurveName,
        Thumbprint = live.Thumbprint,
        Deleted = true,
        DeletedOn = deletedOn ?? live.DeletedOn,
        ScheduledPurgeDate = scheduledPurgeDate ?? live.ScheduledPurgeDate,
        RecoveryId = recoveryId ?? live.RecoveryId,
    };

    /// <summary>Whether a date was given (not null and not the default).</summary>
    public static DateTimeOffset? Date(DateTimeOffset? value) => value is { } v && v != default ? v : null;
}
