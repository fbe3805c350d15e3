namespace KvArchive.Engine.Transfer;

/// <summary>What happened to one object in a backup.</summary>
public enum BackupStatus
{
    /// <summary>Its blob is in the archive.</summary>
    Saved,
    /// <summary>Not backed up on purpose (e.g. a certificate's managed key or secret, or listed twice).</summary>
    Skipped,
    /// <summary>The backup failed; an error was written and the manifest records the reason.</summary>
    Failed,
    /// <summary>Saved, but it changed during its backup (twice); the blob may miss the latest change.</summary>
    Changed,
    /// <summary>Unchanged since the base archive of an incremental backup: its entry was copied from there, no vault call.</summary>
    Copied,
    /// <summary>In the base archive of an incremental backup, no longer in the vault: recorded as deleted, not carried forward.</summary>
    Deleted,
}
