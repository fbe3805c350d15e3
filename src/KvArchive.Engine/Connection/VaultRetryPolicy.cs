using Azure.Core;
using Azure.Core.Pipeline;

namespace KvArchive.Engine.Connection;

/// <summary>
/// Exponential retries with jitter, many for a throttled request (429 without Retry-After: the window frees within
/// seconds), fewer for a server error (408, 5xx: about 12 s of back-off at the default delay, so one object that
/// always fails costs seconds, not minutes, before it is Failed alone), and few for failures that got no answer
/// at all: a refused connection or an unknown host is retried a couple of times for a blip, so a mistyped or
/// unreachable vault fails fast with one clear error.
/// </summary>
internal sealed class VaultRetryPolicy(int maxRetries, int maxTransportRetries, DelayStrategy delay, int maxServerErrorRetries = VaultRetryPolicy.DefaultServerErrorRetries) : RetryPolicy(maxRetries, delay)
{
    /// <summary>Retries of a request that got no response at all.</summary>
    public const int DefaultTransportRetries = 3;

    /// <summary>Retries of a request answered with a server error (408, 500, 502, 503, 504).</summary>
    public const int DefaultServerErrorRetries = 4;

    private const string ServerErrors = "KvArchive.ServerErrors";

    protected override bool ShouldRetry(HttpMessage message, Exception? exception)
        => base.ShouldRetry(message, exception) && WithinTransportBudget(message, exception);

    protected override async ValueTask<bool> ShouldRetryAsync(HttpMessage message, Exception? exception)
        => await base.ShouldRetryAsync(message, exception).ConfigureAwait(false) && WithinTransportBudget(message, exception);

    private const string TransportFailures = "KvArchive.TransportFailures";

    private bool WithinTransportBudget(HttpMessage message, Exception? exception)
    {
        if (exception is null && message.HasResponse)
        {
            if (message.Response.Status is 408 or >= 500)
            {
                var errors = message.TryGetProperty(ServerErrors, out var seen) && seen is int m ? m + 1 : 1;
                message.SetProperty(ServerErrors, errors);
                return errors <= maxServerErrorRetries;
            }

            return true;
        }

        var failures = message.TryGetProperty(TransportFailures, out var value) && value is int n ? n + 1 : 1;
        message.SetProperty(TransportFailures, failures);
        return failures <= maxTransportRetries;
    }
}
