using System.Globalization;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>What a backup did, as a whole: counts by status and kind, time, requests, and whether it is complete. Read-only.</summary>
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

    /// <summary>
    /// True when everything asked for was saved: nothing failed, was refused or not found (what the archive's
    /// manifest records as <c>complete</c>). False with -WhatIf, where nothing was saved.
    /// </summary>
    public bool IsComplete { get; init; }

    /// <summary>Things asked for and not saved: failed objects, refused kinds, names not found, patterns that matched nothing.</summary>
    public int NotSaved { get; init; }

    /// <summary>Every object handled.</summary>
    public int Total => Saved + Changed + Skipped + Failed;

    /// <summary>
    /// Errors written for what was asked for and not saved: the failed objects, and names or kinds that could not be
    /// listed (not found, refused). Zero in a complete run.
    /// </summary>
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

    /// <summary>True when nothing was done (-WhatIf).</summary>
    public bool WhatIf { get; init; }

    /// <inheritdoc />
    public override string ToString()
    {
        if (WhatIf)
        {
            return "Backup planned only: nothing was written.";
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"Backup {(IsComplete ? "complete" : "INCOMPLETE")}: {Saved} saved, {Changed} changed, {Skipped} skipped, {Failed} failed");
        if (Errors > Failed)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", {Errors - Failed} not listed (not found or refused)");
        }

        return text + string.Create(CultureInfo.InvariantCulture, $" ({KindText(Counts)}) in {Seconds:0.0} s, {Requests} requests, {Throttled} throttled; {Path}");
    }

    internal static string KindText(IReadOnlyList<TransferCount> counts)
    {
        var kinds = counts.GroupBy(c => c.Type).OrderBy(g => g.Key.ToString(), StringComparer.Ordinal)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Sum(c => c.Count)} {g.Key.Word()}{(g.Sum(c => c.Count) == 1 ? string.Empty : "s")}"))
            .ToList();
        return kinds.Count == 0 ? "no objects" : string.Join(", ", kinds);
    }
}
