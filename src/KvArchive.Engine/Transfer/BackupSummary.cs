using System.Globalization;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// What a backup did, as a whole. <see cref="TransferSummary.IsComplete"/>: everything asked for was saved — nothing
/// failed, was refused or not found (what the archive's manifest records as <c>complete</c>); false with -WhatIf,
/// where nothing was saved. Read-only.
/// </summary>
public sealed class BackupSummary : TransferSummary
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

    /// <summary>Of the copied entries, those that an interrupted run of this backup had saved (-Resume).</summary>
    public int Resumed { get; init; }

    /// <summary>Objects of the base archive deleted from the vault since (incremental backups).</summary>
    public int Deleted { get; init; }

    /// <summary>Things asked for and not saved: failed objects, refused kinds, names not found, patterns that matched nothing.</summary>
    public int NotSaved { get; init; }

    /// <summary>Every object handled.</summary>
    public override int Total => Saved + Changed + Skipped + Failed + Copied + Deleted;

    /// <inheritdoc />
    public override string ToString()
    {
        if (WhatIf)
        {
            return "Backup planned only: nothing was written.";
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"Backup {(IsComplete ? "complete" : "INCOMPLETE")}: {Saved} saved, {Changed} changed, {Skipped} skipped, {Failed} failed");
        if (Resumed > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", {Resumed} kept from the interrupted run");
        }

        if (Copied - Resumed > 0 || Deleted > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", {Copied - Resumed} copied from the base, {Deleted} deleted since");
        }

        if (Errors > Failed)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", {Errors - Failed} not listed (not found or refused)");
        }

        return text + string.Create(CultureInfo.InvariantCulture, $" {CostText()}; {Path}");
    }
}
