namespace KvArchive.Engine.Archive;

/// <summary>What the archive holds for one object.</summary>
public enum ArchiveEntryStatus
{
    /// <summary>Backed up; the blob is the service's backup of every version.</summary>
    Saved,
    /// <summary>Backed up, but the object changed while it was being backed up (twice); the blob may miss the latest change.</summary>
    Changed,
    /// <summary>The backup failed; the archive holds no blob, only the reason.</summary>
    Failed,
    /// <summary>Not backed up on purpose (e.g. a certificate's managed key or secret); no blob.</summary>
    Skipped,
}
