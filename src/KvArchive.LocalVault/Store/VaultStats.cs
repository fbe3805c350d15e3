using System.Text.Json;

namespace KvArchive.LocalVault.Store;

/// <summary>Request counts of a vault since creation or the last reset (lock-free).</summary>
public sealed class VaultStats
{
    private readonly long[] _byStatus = new long[600];
    private long _requests;
    private long _throttled;

    public void Record(int status)
    {
        Interlocked.Increment(ref _requests);
        if (status == 429)
        {
            Interlocked.Increment(ref _throttled);
        }

        if (status is >= 0 and < 600)
        {
            Interlocked.Increment(ref _byStatus[status]);
        }
    }

    public void Reset()
    {
        Interlocked.Exchange(ref _requests, 0);
        Interlocked.Exchange(ref _throttled, 0);
        for (var i = 0; i < _byStatus.Length; i++)
        {
            Interlocked.Exchange(ref _byStatus[i], 0);
        }
    }

    public void WriteTo(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteNumber("requests", Interlocked.Read(ref _requests));
        w.WriteNumber("throttled", Interlocked.Read(ref _throttled));
        w.WriteStartObject("byStatus");
        for (var i = 0; i < _byStatus.Length; i++)
        {
            var n = Interlocked.Read(ref _byStatus[i]);
            if (n > 0)
            {
                w.WriteNumber(i.ToString(System.Globalization.CultureInfo.InvariantCulture), n);
            }
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }
}
