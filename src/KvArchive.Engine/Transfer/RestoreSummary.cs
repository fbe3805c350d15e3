namespace KvArchive.Engine.Transfer;

/// <summary>Counts of a completed restore.</summary>
public sealed class RestoreSummary
{
    /// <summary>Entries restored.</summary>
    public int Restored { get; init; }

    /// <summary>Entries skipped.</summary>
    public int Skipped { get; init; }

    /// <summary>Entries that failed.</summary>
    public int Failed { get; init; }

    /// <summary>Entries only planned (ShouldProcess declined).</summary>
    public int Planned { get; init; }

    /// <summary>Every entry handled.</summary>
    public int Total => Restored + Skipped + Failed + Planned;

    /// <summary>How long it took.</summary>
    public TimeSpan Duration { get; init; }
}
