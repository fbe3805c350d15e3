using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using KvArchive.TestSupport;

namespace KvArchive.Bench;

/// <summary>
/// Another caller of the vault: an application reading secrets at a steady rate (the shared vault), or a burst. Polite:
/// it sends on a fixed schedule and never retries a 429 (it counts it: the application's failure).
/// </summary>
public sealed class Caller : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _vault;
    private readonly IReadOnlyList<string> _names;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _inFlight;
    private readonly int _maxInFlight;
    private Task? _loop;
    private long _accepted;
    private long _throttled;
    private long _other;

    public Caller(LocalVaultServer server, string vault, string token, IReadOnlyList<string> names, int maxInFlight = 16)
    {
        var trusted = X509Certificate2.CreateFromPem(File.ReadAllText(server.CertificatePath));
        _http = new HttpClient(LocalVaultServer.CreateHandler(trusted)) { Timeout = TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _vault = server.VaultUri(vault);
        _names = names;
        _maxInFlight = maxInFlight;
        _inFlight = new SemaphoreSlim(maxInFlight);
    }

    public long Accepted => Interlocked.Read(ref _accepted);
    public long Throttled => Interlocked.Read(ref _throttled);
    public long Other => Interlocked.Read(ref _other);

    /// <summary>Sends <paramref name="perSecond"/> GETs a second until stopped.</summary>
    public void Start(double perSecond) => _loop = RunAsync(perSecond, _stop.Token);

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        // Let the last requests land.
        for (var i = 0; i < 100 && _inFlight.CurrentCount < _maxInFlight; i++)
        {
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
    }

    private async Task RunAsync(double perSecond, CancellationToken token)
    {
        // Every slot of the schedule is sent, when it is due: a timer that wakes late (they do, by a few milliseconds
        // at this rate) sends the slots it missed at once, so the rate is the one asked for. Only slots more than a
        // second late (a starved machine) are dropped rather than caught up in a burst.
        var watch = Stopwatch.StartNew();
        long sent = 0;
        var i = 0;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var due = (long)(watch.Elapsed.TotalSeconds * perSecond) - sent;
                if (due > perSecond)
                {
                    sent += due - 1;
                    due = 1;
                }

                for (; due > 0; due--)
                {
                    sent++;
                    if (!await _inFlight.WaitAsync(0, CancellationToken.None))
                    {
                        continue;
                    }

                    var name = _names[i++ % _names.Count];
                    _ = SendAsync(name);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(2), token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SendAsync(string name)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri(_vault, $"secrets/{name}?api-version=7.6"));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Interlocked.Increment(ref _accepted);
            }
            else if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Interlocked.Increment(ref _throttled);
            }
            else
            {
                Interlocked.Increment(ref _other);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Interlocked.Increment(ref _other);
        }
        finally
        {
            _inFlight.Release();
        }
    }
}
