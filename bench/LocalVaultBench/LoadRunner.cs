using System.Diagnostics;
using System.Net.Http.Headers;

namespace LocalVaultBench;

/// <summary>Runs one request shape from N concurrent HTTPS clients (one connection each) for a fixed time.</summary>
public static class LoadRunner
{
    public static async Task<Measurement> RunAsync(string name, IReadOnlyList<HttpClient> clients, string token, Func<int, long, HttpRequestMessage> makeRequest, TimeSpan duration)
    {
        // Warm-up: every connection does its TLS handshake before the clock starts.
        await Task.WhenAll(clients.Select(async (c, i) =>
        {
            using var warm = makeRequest(i, -1);
            warm.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var r = await c.SendAsync(warm);
            r.EnsureSuccessStatusCode();
        }));

        long requests = 0;
        long errors = 0;
        string? firstError = null;
        var latencies = new List<double>[clients.Count];
        var stopwatch = Stopwatch.StartNew();
        var until = duration;
        await Task.WhenAll(clients.Select((client, worker) => Task.Run(async () =>
        {
            var mine = latencies[worker] = new List<double>(100_000);
            long n = 0;
            while (stopwatch.Elapsed < until)
            {
                using var request = makeRequest(worker, n++);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                var start = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.SendAsync(request);
                    await response.Content.ReadAsByteArrayAsync();
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref requests);
                    }
                    else
                    {
                        Interlocked.Increment(ref errors);
                        Interlocked.CompareExchange(ref firstError, $"{(int)response.StatusCode}", null);
                    }
                }
                catch (HttpRequestException e)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, e.Message, null);
                }

                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        })));
        stopwatch.Stop();

        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Percentile(double p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(p * all.Length))];
        return new Measurement(name, clients.Count, stopwatch.Elapsed, requests, errors, Percentile(0.50), Percentile(0.99), firstError);
    }
}
