using Azure.Core;
using Azure.Core.Pipeline;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Connection;

/// <summary>The settings every client of a vault shares: transport, retries, the observer, the user agent.</summary>
internal static class VaultPipeline
{
    /// <summary>Applies the shared settings to an SDK (or the engine's own) client options.</summary>
    public static T Configure<T>(T clientOptions, VaultConnectionOptions options, HttpPipelineTransport transport, IRequestObserver? observer)
        where T : ClientOptions
    {
        clientOptions.Transport = transport;
        // Exponential with jitter; the default classifier retries 408, 429, 500, 502, 503, 504 and dropped
        // connections, and honours Retry-After when the service sends it (Key Vault often does not on 429).
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = Math.Max(0, options.MaxRetries);
        clientOptions.Retry.Delay = options.RetryDelay;
        clientOptions.Retry.MaxDelay = options.MaxRetryDelay;
        clientOptions.Retry.NetworkTimeout = options.NetworkTimeout;
        clientOptions.RetryPolicy = new VaultRetryPolicy(
            Math.Max(0, options.MaxRetries),
            Math.Min(Math.Max(0, options.MaxRetries), VaultRetryPolicy.DefaultTransportRetries),
            DelayStrategy.CreateExponentialDelayStrategy(options.RetryDelay, options.MaxRetryDelay));
        clientOptions.Diagnostics.ApplicationId = "KvArchive";
        // Never log bodies: they hold secret values.
        clientOptions.Diagnostics.IsLoggingContentEnabled = false;
        if (observer is not null)
        {
            clientOptions.AddPolicy(new RequestObserverPolicy(observer), HttpPipelinePosition.PerRetry);
        }

        return clientOptions;
    }
}
