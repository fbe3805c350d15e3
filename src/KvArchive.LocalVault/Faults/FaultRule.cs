using System.Text.RegularExpressions;

namespace KvArchive.LocalVault.Faults;

/// <summary>Answers the next <see cref="Remaining"/> matching requests with a status, a dropped connection or a stall.</summary>
public sealed class FaultRule
{
    private int _remaining;

    public FaultRule(string? method, Regex? path, int? status, int count, bool drop, int stallMs, int? retryAfterSeconds)
    {
        Method = method;
        Path = path;
        Status = status;
        _remaining = count;
        Drop = drop;
        StallMs = stallMs;
        RetryAfterSeconds = retryAfterSeconds;
    }

    /// <summary>HTTP method to match (null: any).</summary>
    public string? Method { get; }

    /// <summary>Regular expression on the path (null: any).</summary>
    public Regex? Path { get; }

    /// <summary>Status to answer with (null: after a stall, handle the request normally).</summary>
    public int? Status { get; }

    public bool Drop { get; }

    public int StallMs { get; }

    public int? RetryAfterSeconds { get; }

    /// <summary>How many more requests it answers; negative: unlimited.</summary>
    public int Remaining => Volatile.Read(ref _remaining);

    public bool Matches(string method, string path)
        => (Method is null || string.Equals(Method, method, StringComparison.OrdinalIgnoreCase)) && (Path is null || Path.IsMatch(path));

    /// <summary>Takes one use of the rule; false when it is used up.</summary>
    public bool TryConsume()
    {
        while (true)
        {
            var current = Volatile.Read(ref _remaining);
            if (current < 0)
            {
                return true;
            }

            if (current == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _remaining, current - 1, current) == current)
            {
                return true;
            }
        }
    }
}
