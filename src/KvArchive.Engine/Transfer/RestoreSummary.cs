using System.Globalization;

namespace KvArchive.Engine.Transfer;

/// <summary>What a restore did, as a whole: counts by status and kind, time, requests, and whether it is complete. Read-only.</summary>
public sealed class RestoreSummary
{
    /// <summary>The archive restored from (the first, when entries of several were restored; all are in <see cref="Paths"/>).</summary>
    public string? Path => Paths.Count > 0 ? Paths[0] : null;

    /// <summary>Every archive entries were restored from.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>True when every entry was restored or left alone on purpose: nothing failed and nothing was only planned.</summary>
    public bool IsComplete { get; init; }

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

    /// <summary>Errors written (failed entries, archives that could not be read). Zero in a complete run.</summary>
    public int Errors { get; init; }

    /// <summary>The counts that are not zero, by status and kind.</summary>
    public IReadOnlyList<TransferCount> Counts { get; init; } = [];

    /// <summary>How long it took.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>How long it took, in seconds (one decimal).</summary>
    public double Seconds => Math.Round(Duration.TotalSeconds, 1);

    /// <summary>Requests answered by the vault (each retry counts).</summary>
    public long Requests { get; init; }

    /// <summary>429 (throttled) answers among them.</summary>
    public long Throttled { get; init; }

    /// <summary>True when nothing was changed on purpose (-WhatIf): the counts are the plan's.</summary>
    public bool WhatIf { get; init; }

    /// <inheritdoc />
    public override string ToString()
    {
        if (WhatIf)
        {
            int Would(string plan) => Counts.Where(c => c.Status == plan).Sum(c => c.Count);
            var wait = Would("WouldWait") > 0 ? string.Create(CultureInfo.InvariantCulture, $", {Would("WouldWait")} would wait") : string.Empty;
            var errors = Errors > 0 ? string.Create(CultureInfo.InvariantCulture, $"; {Errors} error{(Errors == 1 ? string.Empty : "s")}") : string.Empty;
            return string.Create(CultureInfo.InvariantCulture, $"Restore plan for {Total} entries ({BackupSummary.KindText(Counts)}): {Would("WouldRestore")} would restore, {Would("WouldPurgeAndRestore")} would purge and restore, {Would("WouldSkip")} would skip, {Would("WouldFail")} would fail{wait}{errors}; nothing was changed. {Path}");
        }

        var state = IsComplete ? "complete" : "INCOMPLETE";
        return string.Create(CultureInfo.InvariantCulture, $"Restore {state}: {Restored} restored, {Skipped} skipped, {Failed} failed, {Planned} planned ({BackupSummary.KindText(Counts)}) in {Seconds:0.0} s, {Requests} requests, {Throttled} throttled; {Path}");
    }
}
