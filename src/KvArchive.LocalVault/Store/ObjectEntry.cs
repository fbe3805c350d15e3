using System.Text.Json.Serialization;

namespace KvArchive.LocalVault.Store;

/// <summary>A named secret, key or certificate: its life-cycle state (see <see cref="SoftDeleteStateMachine"/>).</summary>
public abstract class ObjectEntry
{
    /// <summary>The name as first created (names compare case-insensitively).</summary>
    public required string Name { get; set; }

    public EntryState State { get; set; }

    /// <summary>Monotonic milliseconds (Environment.TickCount64) when a Deleting/Recovering/Purging transition ends.</summary>
    [JsonIgnore]
    public long DueMs { get; set; }

    /// <summary>Unix seconds of the delete (soft-deleted states only).</summary>
    public long DeletedDate { get; set; }

    /// <summary>Unix seconds when the service purges the deleted object by itself.</summary>
    public long ScheduledPurgeDate { get; set; }

    /// <summary>True for the key and secret a certificate owns.</summary>
    public bool Managed { get; set; }

    [JsonIgnore]
    public abstract int VersionCount { get; }

    /// <summary>Live and has at least one version.</summary>
    [JsonIgnore]
    public bool IsActive => State == EntryState.Active && VersionCount > 0;

    /// <summary>Listed as deleted (soft-deleted and no purge started).</summary>
    [JsonIgnore]
    public bool IsListedAsDeleted => State == EntryState.Deleted && VersionCount > 0;
}
