namespace KvArchive.LocalVault.Store;

/// <summary>
/// The server's settable clock (Unix seconds) for created/updated, deleted and purge dates and certificate validity.
/// Delays of asynchronous operations use the monotonic clock instead, so moving this one never stalls them.
/// </summary>
public sealed class VaultClock
{
    private long _offsetSeconds;

    /// <summary>Current Unix seconds, offset included.</summary>
    public long NowSeconds => DateTimeOffset.UtcNow.ToUnixTimeSeconds() + Interlocked.Read(ref _offsetSeconds);

    public long OffsetSeconds => Interlocked.Read(ref _offsetSeconds);

    /// <summary>Monotonic milliseconds.</summary>
    public static long MonotonicMs => Environment.TickCount64;

    public void SetOffset(long seconds) => Interlocked.Exchange(ref _offsetSeconds, seconds);

    public void SetNow(long unixSeconds) => SetOffset(unixSeconds - DateTimeOffset.UtcNow.ToUnixTimeSeconds());
}
