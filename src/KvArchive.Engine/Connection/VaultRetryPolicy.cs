using Azure.Core;
using Azure.Core.Pipeline;

namespace KvArchive.Engine.Connection;

/// <summary>
/// Exponential retries with jitter, many for what the service answers (429 without Retry-After, 5xx) but few for
/// failures that got no answer at all: a refused connection or an unknown host is retried a couple of times for
/// a blip, not for minutes, so a mistyped or unreachable vault fails fast with one clear error.
/// </summary>
internal sealed class VaultRetryPolicy(int maxRetries, int maxTransportRetries, DelayStrategy delay) : RetryPolicy(maxRetries, delay)
{
    /// <summary>Retries of a request that got no response at all.</summary>
    public const int DefaultTransportRetries = 3;

    protected override bool ShouldRetry(HttpMessage message, Exception? exception)
        => base.ShouldRetry(message, exception) && WithinTransportBudget(message, exception);

    protected override async ValueTask<bool> ShouldRetryAsync(HttpMessage message, Exception? exception)
        => await base.ShouldRetryAsync(message, exception).ConfigureAwait(false) && WithinTransportBudget(message, exception);

    private const string TransportFailures = "KvArchive.TransportFailures";

    private bool WithinTransportBudget(HttpMessage message, Exception? exception)
    {
        if (exception is null && message.HasResponse)
        {
            return true;
        }

        var failures = message.TryGetProperty(TransportFailures, out var value) && value is int n ? n + 1 : 1;
        message.SetProperty(TransportFailures, failures);
        return failures <= maxTransportRetries;
    }
}
