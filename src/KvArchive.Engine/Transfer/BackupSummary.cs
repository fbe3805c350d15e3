namespace KvArchive.Engine.Transfer;

/// <summary>Counts of a completed backup.</summary>
public sealed class BackupSummary
{
    /// <summary>The archive's full path (null when -WhatIf declined writing it).</summary>
    public string? Path { get; init; }

    /// <summary>Objects saved.</summary>
    public int Saved { get; init; }

    /// <summary>Objects saved while they changed.</summary>
    public int Changed { get; init; }

    /// <summary>Objects skipped.</summary>
    public int Skipped { get; init; }

    /// <summary>Objects that failed.</summary>
    public int Failed { get; init; }

    /// <summary>Entries copied unchanged from the base archive (incremental backups).</summary>
    public int Copied { get; init; }

    /// <summary>Objects of the base archive deleted from the vault since (incremental backups).</summary>
    public int Deleted { get; init; }

    /// <summary>
    /// True when everything asked for was saved: nothing failed, was refused or not found (what the archive's
    /// manifest records as <c>complete</c>). False with -WhatIf, where nothing was saved.
    /// </summary>
    public bool IsComplete { get; init; }

    /// <summary>Things asked for and not saved: failed objects, refused kinds, names not found, patterns that matched nothing.</summary>
    public int NotSaved { get; init; }

    /// <summary>Every object handled.</summary>
    public int Total => Saved + Changed + Skipped + Failed + Copied + Deleted;

    /// <summary>How long it took.</summary>
    public TimeSpan Duration { get; init; }
}
