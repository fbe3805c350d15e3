using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// Counts of a run's outcomes by status and kind, safe to add to from any worker; the summaries read them.
/// </summary>
internal sealed class OutcomeCounts<TStatus>
    where TStatus : struct, Enum
{
    private static readonly TStatus[] Statuses = Enum.GetValues<TStatus>();
    private static readonly KvObjectType[] Kinds = Enum.GetValues<KvObjectType>();
    private readonly int[,] _counts = new int[Statuses.Length, Kinds.Length];

    public void Add(TStatus status, KvObjectType kind)
        => Interlocked.Increment(ref _counts[Array.IndexOf(Statuses, status), Array.IndexOf(Kinds, kind)]);

    /// <summary>Objects that ended with a status, of every kind.</summary>
    public int Of(TStatus status)
    {
        var row = Array.IndexOf(Statuses, status);
        var total = 0;
        for (var kind = 0; kind < Kinds.Length; kind++)
        {
            total += Volatile.Read(ref _counts[row, kind]);
        }

        return total;
    }

    /// <summary>Every object counted.</summary>
    public int Total => Statuses.Sum(Of);

    /// <summary>The counts that are not zero, by status and kind (a read-only snapshot).</summary>
    public IReadOnlyList<TransferCount> Snapshot()
    {
        var rows = new List<TransferCount>();
        for (var s = 0; s < Statuses.Length; s++)
        {
            for (var k = 0; k < Kinds.Length; k++)
            {
                var count = Volatile.Read(ref _counts[s, k]);
                if (count > 0)
                {
                    rows.Add(new TransferCount(Statuses[s].ToString(), Kinds[k], count));
                }
            }
        }

        return rows;
    }
}
