namespace KvArchive.Engine.Transfer;

/// <summary>Defaults and limits shared by backup and restore.</summary>
public static class TransferDefaults
{
    /// <summary>Default number of objects in flight.</summary>
    public const int ThrottleLimit = 16;

    /// <summary>Most objects in flight.</summary>
    public const int MaxThrottleLimit = 64;

    /// <summary>Object-level retries after the vault client gave up on 429s (the rate has halved meanwhile).</summary>
    internal const int ThrottledRetries = 2;

    internal static int CheckThrottleLimit(int value) => value is >= 1 and <= MaxThrottleLimit
        ? value
        : throw new ArgumentOutOfRangeException(nameof(value), value, $"ThrottleLimit must be between 1 and {MaxThrottleLimit}.");
}
