using System.Diagnostics;
using System.Globalization;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Connection;

/// <summary>
/// Reports every attempt's status (0 for a transport failure) to an <see cref="IRequestObserver"/>. Sits after the
/// retry policy, so it sees the 429s and 503s that retries would otherwise hide. Passes on the Date header too
/// (the service's clock), and lets the observer hold a retry before it goes (<see cref="IRequestObserver.BeforeRetryAsync"/>).
/// </summary>
internal sealed class RequestObserverPolicy(IRequestObserver observer) : HttpPipelinePolicy
{
    private const string Attempted = "KvArchive.Attempted";

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (IsRetry(message))
        {
            await observer.BeforeRetryAsync(message.CancellationToken).ConfigureAwait(false);
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
        catch (Exception) when (Report(message, 0, started))
        {
            throw; // unreachable: Report returns false so the exception keeps its stack.
        }

        Report(message, message.Response.Status, started);
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (IsRetry(message))
        {
            var wait = observer.BeforeRetryAsync(message.CancellationToken);
            if (!wait.IsCompleted)
            {
                wait.AsTask().GetAwaiter().GetResult();
            }
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            ProcessNext(message, pipeline);
        }
        catch (Exception) when (Report(message, 0, started))
        {
            throw;
        }

        Report(message, message.Response.Status, started);
    }

    /// <summary>True from the second time the message passes (this policy sits per retry); marks the first.</summary>
    private static bool IsRetry(HttpMessage message)
    {
        if (message.TryGetProperty(Attempted, out _))
        {
            return true;
        }

        message.SetProperty(Attempted, true);
        return false;
    }

    /// <summary>The wait a response asks for: retry-after-ms / x-ms-retry-after-ms, else Retry-After in seconds or as a date.</summary>
    internal static TimeSpan? RetryAfter(Response response)
    {
        foreach (var name in new[] { "retry-after-ms", "x-ms-retry-after-ms" })
        {
            if (response.Headers.TryGetValue(name, out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds > 0)
            {
                return TimeSpan.FromMilliseconds(milliseconds);
            }
        }

        if (!response.Headers.TryGetValue("Retry-After", out var value) || string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            var wait = at - (response.Headers.Date ?? DateTimeOffset.UtcNow);
            return wait > TimeSpan.Zero ? wait : null;
        }

        return null;
    }

    private bool Report(HttpMessage message, int status, long started)
    {
        // A user's cancellation is not a failure of the vault.
        if (status == 0 && message.CancellationToken.IsCancellationRequested)
        {
            return false;
        }

        if (status != 0 && message.HasResponse && RetryAfter(message.Response) is { } delay)
        {
            observer.OnRetryAfter(delay);
        }

        observer.OnResponse(status, Stopwatch.GetElapsedTime(started));
        if (status != 0 && message.HasResponse && message.Response.Headers.Date is { } date)
        {
            observer.OnServerDate(date);
        }

        return false;
    }
}
