namespace KvArchive.Engine.Vault;

/// <summary>
/// Sees every HTTP answer a vault client receives, including each retried one, so that a transfer can adapt
/// its rate to 429s that the SDK's own retries would otherwise hide. Called from worker threads: be thread-safe
/// and quick.
/// </summary>
public interface IRequestObserver
{
    /// <summary>One response (or a transport failure, status 0) to a request to the vault.</summary>
    void OnResponse(int status, TimeSpan elapsed);

    /// <summary>
    /// The service's clock: the Date header of a response (whole seconds, at or before the moment the response
    /// was made). A backup uses it to tell whether an object's updated time could be confused with a change made
    /// in the same second. Optional; ignored unless implemented.
    /// </summary>
    void OnServerDate(DateTimeOffset date)
    {
    }

    /// <summary>
    /// A response asked the client to wait before sending again (Retry-After, or retry-after-ms), reported before its
    /// <see cref="OnResponse"/>. Optional; ignored unless implemented.
    /// </summary>
    void OnRetryAfter(TimeSpan delay)
    {
    }

    /// <summary>
    /// Called before the client retries a request (after its own back-off), so that a rate control can hold the
    /// retry as it holds first attempts — a retried 429 otherwise goes out while the vault's budget is still used
    /// up. Optional; by default the retry goes at once.
    /// </summary>
    ValueTask BeforeRetryAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
