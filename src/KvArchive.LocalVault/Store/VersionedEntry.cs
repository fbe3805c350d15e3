using System.Text.Json.Serialization;

namespace KvArchive.LocalVault.Store;

/// <summary>A named object with its versions, oldest first.</summary>
public abstract class VersionedEntry<TVersion> : ObjectEntry
    where TVersion : ObjectVersion
{
    public List<TVersion> Versions { get; set; } = [];

    public override int VersionCount => Versions.Count;

    /// <summary>
    /// The versions as the data directory's journal last recorded them, so that the next record of this entry carries
    /// only the versions appended since (null: the next record carries them all). Persistence only, under the lock.
    /// </summary>
    [JsonIgnore]
    public TVersion[]? JournaledVersions { get; set; }

    /// <summary>The newest version, or null when there is none yet.</summary>
    [JsonIgnore]
    public TVersion? Latest => Versions.Count == 0 ? null : Versions[^1];

    /// <summary>The version with this id (case-insensitive), the latest for null or empty.</summary>
    public TVersion? Find(string? version)
    {
        if (string.IsNullOrEmpty(version))
        {
            return Latest;
        }

        for (var i = Versions.Count - 1; i >= 0; i--)
        {
            if (string.Equals(Versions[i].Version, version, StringComparison.OrdinalIgnoreCase))
            {
                return Versions[i];
            }
        }

        return null;
    }

    /// <summary>Puts an updated record in place of the version with the same id.</summary>
    public void Replace(TVersion updated)
    {
        for (var i = Versions.Count - 1; i >= 0; i--)
        {
            if (string.Equals(Versions[i].Version, updated.Version, StringComparison.Ordinal))
            {
                Versions[i] = updated;
                return;
            }
        }

        throw new InvalidOperationException("Version to replace not found.");
    }
}
