using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using KvArchive.TestSupport;

namespace KvArchive.LocalVault.Tests.Persistence;

/// <summary>
/// One kill -9 trial: LocalVault on a data directory takes concurrent restores and sets (and a few deletes) from
/// several workers, each recording what was answered with success; at a random moment (after a random number of
/// confirmed writes, plus a random pause) the process gets SIGKILL. Then it is restarted on the same directory and
/// every confirmed write is looked for. In-flight writes at the kill were never confirmed, so either outcome is right
/// for them; each worker owns its names, so the last confirmed state of a name is well defined.
/// </summary>
public sealed class KillTrial
{
    public const string Api = "?api-version=2026-04-01";
    public const string Geography = "kill-geo";

    private readonly ConcurrentQueue<ConfirmedWrite> _confirmed = new();
    private readonly ConcurrentDictionary<string, bool> _deleteInFlight = new(StringComparer.OrdinalIgnoreCase);
    private int _confirmedCount;

    /// <summary>Source secrets: name, backup blob, latest value (made once, restored in every trial).</summary>
    public sealed record Blob(string Name, string Value, string Latest);

    public int Restores => _confirmed.Count(c => c.Kind == "restore");

    public int Sets => _confirmed.Count(c => c.Kind == "set");

    public int Deletes => _confirmed.Count(c => c.Kind == "delete");

    public int Confirmed => _confirmed.Count;

    /// <summary>Creates <paramref name="count"/> secrets (two versions each) in a throwaway LocalVault and backs them up.</summary>
    public static async Task<IReadOnlyList<Blob>> MakeBlobsAsync(int count)
    {
        await using var server = await LocalVaultServer.StartAsync("--no-throttling");
        var vault = await server.CreateVaultAsync("source", new { geography = Geography, throttling = false });
        var (token, _) = await server.CreateTokenAsync("kill-source");
        using var http = server.CreateRawClient();
        var blobs = new ConcurrentBag<Blob>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var name = $"restored-{i:D5}";
            string latest = "";
            for (var v = 0; v < 2; v++)
            {
                latest = $"value-{i}-{v}-{Guid.NewGuid():N}";
                using var set = await SendAsync(http, token, HttpMethod.Put, new Uri(vault, $"secrets/{name}{Api}"), new JsonObject { ["value"] = latest });
                set.EnsureSuccessStatusCode();
            }

            using var backup = await SendAsync(http, token, HttpMethod.Post, new Uri(vault, $"secrets/{name}/backup{Api}"), null);
            backup.EnsureSuccessStatusCode();
            var blob = JsonNode.Parse(await backup.Content.ReadAsStringAsync(ct))!["value"]!.GetValue<string>();
            blobs.Add(new Blob(name, blob, latest));
        });
        return blobs.OrderBy(b => b.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Runs the writers against a fresh vault of a LocalVault on <paramref name="dataDir"/> until the process is
    /// killed after <paramref name="killAfter"/> confirmed writes (plus a pause of up to 30 ms).
    /// </summary>
    public async Task DriveAndKillAsync(string dataDir, IReadOnlyList<Blob> blobs, int killAfter, Random random, params string[] extraArgs)
    {
        var server = await LocalVaultServer.StartAsync(["--data-dir", dataDir, "--no-throttling", .. extraArgs]);
        try
        {
            var vault = await server.CreateVaultAsync("target", new { geography = Geography, throttling = false });
            var (token, _) = await server.CreateTokenAsync("kill-writer");
            using var http = server.CreateRawClient();
            var nextBlob = -1;
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var stop = new CancellationTokenSource();
            var seeds = Enumerable.Range(0, 24).Select(_ => random.Next()).ToArray();
            var workers = Enumerable.Range(0, 24).Select(w => Task.Run(async () =>
            {
                var rng = new Random(seeds[w]);
                var retired = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                var written = new List<string>();
                long n = 0;
                while (!stop.IsCancellationRequested)
                {
                    n++;
                    try
                    {
                        if (w % 2 == 0)
                        {
                            var i = Interlocked.Increment(ref nextBlob);
                            if (i >= blobs.Count)
                            {
                                return;
                            }

                            using var r = await SendAsync(http, token, HttpMethod.Post, new Uri(vault, "secrets/restore" + Api), new JsonObject { ["value"] = blobs[i].Value });
                            if (r.IsSuccessStatusCode)
                            {
                                var id = JsonNode.Parse(await r.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
                                Confirm(new ConfirmedWrite("restore", blobs[i].Name, id[(id.LastIndexOf('/') + 1)..], blobs[i].Latest), killAfter, reached);
                            }
                        }
                        else if (written.Count > 3 && rng.Next(25) == 0)
                        {
                            var name = written[rng.Next(written.Count)];
                            written.Remove(name);
                            retired.Add(name);
                            _deleteInFlight[name] = true;
                            using var r = await SendAsync(http, token, HttpMethod.Delete, new Uri(vault, $"secrets/{name}{Api}"), null);
                            if (r.IsSuccessStatusCode)
                            {
                                _deleteInFlight.TryRemove(name, out _);
                                Confirm(new ConfirmedWrite("delete", name, null, null), killAfter, reached);
                            }
                        }
                        else
                        {
                            var name = $"set-{w:D2}-{rng.Next(40):D2}";
                            if (retired.Contains(name))
                            {
                                continue;
                            }

                            var value = $"v-{w}-{n}-{Guid.NewGuid():N}";
                            using var r = await SendAsync(http, token, HttpMethod.Put, new Uri(vault, $"secrets/{name}{Api}"), new JsonObject { ["value"] = value });
                            if (r.IsSuccessStatusCode)
                            {
                                var id = JsonNode.Parse(await r.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
                                if (!written.Contains(name))
                                {
                                    written.Add(name);
                                }

                                Confirm(new ConfirmedWrite("set", name, id[(id.LastIndexOf('/') + 1)..], value), killAfter, reached);
                            }
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
                    {
                        // The server is gone: whatever was in flight was never confirmed.
                        return;
                    }
                }
            })).ToArray();

            await Task.WhenAny(reached.Task, Task.WhenAll(workers));
            await Task.Delay(random.Next(30));
            server.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(workers);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>Restarts on the directory and returns the confirmed writes that are missing or wrong (with why).</summary>
    public async Task<IReadOnlyList<string>> FindLostAsync(string dataDir)
    {
        await using var server = await LocalVaultServer.StartAsync("--data-dir", dataDir, "--no-throttling");
        var vault = server.VaultUri("target");
        var (token, _) = await server.CreateTokenAsync("kill-checker");
        using var http = server.CreateRawClient();
        var deleted = _confirmed.Where(c => c.Kind == "delete").Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var lost = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(_confirmed, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (c, ct) =>
        {
            if (c.Kind == "delete")
            {
                using var d = await SendAsync(http, token, HttpMethod.Get, new Uri(vault, $"deletedsecrets/{c.Name}{Api}"), null);
                if (!d.IsSuccessStatusCode)
                {
                    lost.Add($"delete of {c.Name}: deleted secret answered {(int)d.StatusCode}");
                }

                return;
            }

            if (deleted.Contains(c.Name) || _deleteInFlight.ContainsKey(c.Name))
            {
                // Deleted afterwards (confirmed or maybe): its versions are checked through the deleted secret.
                return;
            }

            using var r = await SendAsync(http, token, HttpMethod.Get, new Uri(vault, $"secrets/{c.Name}/{c.Version}{Api}"), null);
            var text = await r.Content.ReadAsStringAsync(ct);
            if (!r.IsSuccessStatusCode)
            {
                lost.Add($"{c.Kind} of {c.Name}/{c.Version}: answered {(int)r.StatusCode}");
            }
            else if (JsonNode.Parse(text)!["value"]?.GetValue<string>() != c.Value)
            {
                lost.Add($"{c.Kind} of {c.Name}/{c.Version}: another value");
            }
        });
        return lost.ToList();
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string token, HttpMethod method, Uri uri, JsonObject? body)
    {
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return response;
    }

    private void Confirm(ConfirmedWrite write, int killAfter, TaskCompletionSource reached)
    {
        _confirmed.Enqueue(write);
        if (Interlocked.Increment(ref _confirmedCount) >= killAfter)
        {
            reached.TrySetResult();
        }
    }
}
