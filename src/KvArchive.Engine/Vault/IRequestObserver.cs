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
}
