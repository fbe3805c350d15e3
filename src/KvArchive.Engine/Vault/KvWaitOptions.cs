namespace KvArchive.Engine.Vault;

/// <summary>How long and how often to poll for an asynchronous delete, recover or purge to finish.</summary>
public sealed class KvWaitOptions
{
    /// <summary>The defaults: first poll after 250 ms, backing off to 5 s, giving up after 3 minutes.</summary>
    public static KvWaitOptions Default { get; } = new();

    /// <summary>Delay before the first poll.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest delay between polls.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait in total before the operation counts as stuck.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(3);
}
