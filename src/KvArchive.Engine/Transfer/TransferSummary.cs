using System.Globalization;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// What a backup or a restore did as a whole, beside its per-status counts (<see cref="BackupSummary"/>,
/// <see cref="RestoreSummary"/>): whether it is complete, its errors, counts by status and kind, time, requests.
/// Read-only.
/// </summary>
public abstract class TransferSummary
{
    /// <summary>True when everything asked for was done; what that means is the kind's (see the derived types).</summary>
    public bool IsComplete { get; init; }

    /// <summary>Every object or entry handled.</summary>
    public abstract int Total { get; }

    /// <summary>Errors written for what was asked for and not done. Zero in a complete run.</summary>
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

    /// <summary>True when nothing was done on purpose (-WhatIf).</summary>
    public bool WhatIf { get; init; }

    /// <summary>"(3 keys, 40 secrets) in 2.5 s, 90 requests, 0 throttled": the tail every summary line ends with.</summary>
    private protected string CostText()
        => string.Create(CultureInfo.InvariantCulture, $"({KindText()}) in {Seconds:0.0} s, {Requests} requests, {Throttled} throttled");

    /// <summary>The counts by kind, e.g. "3 keys, 40 secrets" ("no objects" when there are none).</summary>
    private protected string KindText()
    {
        var kinds = Counts.GroupBy(c => c.Type).OrderBy(g => g.Key.ToString(), StringComparer.Ordinal)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Sum(c => c.Count)} {g.Key.Word()}{(g.Sum(c => c.Count) == 1 ? string.Empty : "s")}"))
            .ToList();
        return kinds.Count == 0 ? "no objects" : string.Join(", ", kinds);
    }
}
