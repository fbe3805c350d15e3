using System.Globalization;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// What a restore did, as a whole. <see cref="TransferSummary.IsComplete"/>: every entry was restored or left alone on
/// purpose — nothing failed and nothing was only planned. With -WhatIf the counts are the plan's. Read-only.
/// </summary>
public sealed class RestoreSummary : TransferSummary
{
    /// <summary>The archive restored from (the first, when entries of several were restored; all are in <see cref="Paths"/>).</summary>
    public string? Path => Paths.Count > 0 ? Paths[0] : null;

    /// <summary>Every archive entries were restored from.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>Entries restored.</summary>
    public int Restored { get; init; }

    /// <summary>Entries skipped.</summary>
    public int Skipped { get; init; }

    /// <summary>Entries that failed.</summary>
    public int Failed { get; init; }

    /// <summary>Entries only planned (ShouldProcess declined).</summary>
    public int Planned { get; init; }

    /// <summary>Every entry handled.</summary>
    public override int Total => Restored + Skipped + Failed + Planned;

    /// <inheritdoc />
    public override string ToString()
    {
        if (WhatIf)
        {
            int Would(string plan) => Counts.Where(c => c.Status == plan).Sum(c => c.Count);
            var wait = Would("WouldWait") > 0 ? string.Create(CultureInfo.InvariantCulture, $", {Would("WouldWait")} would wait") : string.Empty;
            var errors = Errors > 0 ? string.Create(CultureInfo.InvariantCulture, $"; {Errors} error{(Errors == 1 ? string.Empty : "s")}") : string.Empty;
            return string.Create(CultureInfo.InvariantCulture, $"Restore plan for {Total} entries ({KindText()}): {Would("WouldRestore")} would restore, {Would("WouldPurgeAndRestore")} would purge and restore, {Would("WouldSkip")} would skip, {Would("WouldFail")} would fail{wait}{errors}; nothing was changed. {Path}");
        }

        var state = IsComplete ? "complete" : "INCOMPLETE";
        return string.Create(CultureInfo.InvariantCulture, $"Restore {state}: {Restored} restored, {Skipped} skipped, {Failed} failed, {Planned} planned {CostText()}; {Path}");
    }
}
