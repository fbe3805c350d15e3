using System.Text;
using System.Text.Json.Nodes;
using KvArchive.TestSupport;

namespace LocalVaultBench;

/// <summary>
/// Starts LocalVault (throttling off) through KvArchive.TestSupport and measures requests/s with concurrent HTTPS
/// clients: reads (GET secret, POST backup) and writes (PUT secret, POST restore), first in memory, then with
/// --data-dir, where every write is answered only after its journal flush (fsync, shared by concurrent writers).
/// </summary>
public static class Program
{
    private const string Api = "?api-version=2026-04-01";

    public static async Task<int> Main(string[] args)
    {
        var options = BenchOptions.Parse(args);
        var loadBefore = ResultsWriter.LoadAverage();
        var results = new List<Measurement>();
        results.AddRange(await RunAsync(options, dataDir: null));
        var dataDir = Path.Combine(Path.GetTempPath(), "localvault-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            results.AddRange(await RunAsync(options, dataDir));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }

        Console.WriteLine();
        Console.Write(ResultsWriter.Table(results));
        if (options.Output is not null)
        {
            var build = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(LocalVaultServer.FindLocalVaultDll()))) ?? "?";
            await File.WriteAllTextAsync(options.Output, ResultsWriter.Markdown(results, options, build, loadBefore), new UTF8Encoding(false));
            Console.WriteLine($"written: {options.Output}");
        }

        return results.All(r => r.Errors == 0) ? 0 : 1;
    }

    private static async Task<List<Measurement>> RunAsync(BenchOptions options, string? dataDir)
    {
        var suffix = dataDir is null ? "" : " (--data-dir)";
        await using var server = dataDir is null
            ? await LocalVaultServer.StartAsync("--no-throttling")
            : await LocalVaultServer.StartAsync("--no-throttling", "--data-dir", dataDir);
        const string Vault = "bench";
        var vaultUri = await server.CreateVaultAsync(Vault, new { throttling = false });
        await server.SeedAsync(Vault, new { secrets = options.Secrets, versions = 1, prefix = "bench" });
        var (token, _) = await server.CreateTokenAsync("bench");
        using var lister = server.CreateRawClient();
        var names = await EnabledSecretsAsync(lister, vaultUri, token);
        if (names.Count == 0)
        {
            throw new InvalidOperationException("The seed created no secrets.");
        }

        // Restores need free names: a pool of blobs restored into one fresh vault after another.
        var blobs = await BlobsAsync(lister, vaultUri, token, names);
        var targets = new List<Uri>();
        for (var i = 0; i < 40; i++)
        {
            targets.Add(await server.CreateVaultAsync($"restore{i}", new { throttling = false }));
        }

        var clients = Enumerable.Range(0, options.Concurrency).Select(_ => new HttpClient(server.CreateHandler()) { Timeout = TimeSpan.FromSeconds(30) }).ToList();
        var results = new List<Measurement>();
        try
        {
            Console.WriteLine($"LocalVault{suffix} on port {server.Port}; {names.Count} secrets; {options.Concurrency} clients; {options.Duration.TotalSeconds:F0} s per operation");
            Uri Secret(int w, long n) => new(vaultUri, $"secrets/{names[(int)((w * 7919L + Math.Max(n, 0)) % names.Count)]}{Api}");
            if (dataDir is null)
            {
                results.Add(await LoadRunner.RunAsync("GET secret", clients, token, (w, n) => new HttpRequestMessage(HttpMethod.Get, Secret(w, n)), options.Duration));
                results.Add(await LoadRunner.RunAsync("POST backup", clients, token,
                    (w, n) => new HttpRequestMessage(HttpMethod.Post, new Uri(vaultUri, $"secrets/{names[(int)((w * 7919L + Math.Max(n, 0)) % names.Count)]}/backup{Api}")),
                    options.Duration));
            }

            // Sets spread over many names, so a name gathers versions the way real writers do.
            results.Add(await LoadRunner.RunAsync("PUT secret" + suffix, clients, token,
                (w, n) => new HttpRequestMessage(HttpMethod.Put, new Uri(vaultUri, $"secrets/w{w}-{Math.Max(n, 0) % 500}{Api}"))
                {
                    Content = new StringContent(new JsonObject { ["value"] = $"value-{w}-{n}" }.ToJsonString(), Encoding.UTF8, "application/json"),
                },
                options.Duration));
            long restoreIndex = -1;
            results.Add(await LoadRunner.RunAsync("POST restore" + suffix, clients, token,
                (_, _) =>
                {
                    var i = Interlocked.Increment(ref restoreIndex);
                    var target = targets[(int)(i / blobs.Count % targets.Count)];
                    return new HttpRequestMessage(HttpMethod.Post, new Uri(target, "secrets/restore" + Api))
                    {
                        Content = new StringContent(new JsonObject { ["value"] = blobs[(int)(i % blobs.Count)] }.ToJsonString(), Encoding.UTF8, "application/json"),
                    };
                },
                options.Duration));
            if (restoreIndex >= (long)blobs.Count * targets.Count)
            {
                throw new InvalidOperationException($"The restore pool ({blobs.Count} blobs x {targets.Count} vaults) ran out: raise --secrets.");
            }

            if (dataDir is not null)
            {
                results.Add(await LoadRunner.RunAsync("GET secret" + suffix, clients, token, (w, n) => new HttpRequestMessage(HttpMethod.Get, Secret(w, n)), options.Duration));
            }
        }
        finally
        {
            foreach (var c in clients)
            {
                c.Dispose();
            }
        }

        return results;
    }

    /// <summary>The seeded names, read from the vault (the seed disables every 7th secret; a GET of those is a 403).</summary>
    private static async Task<List<string>> EnabledSecretsAsync(HttpClient http, Uri vaultUri, string token)
    {
        var names = new List<string>();
        var next = new Uri(vaultUri, "secrets" + Api);
        while (next is not null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, next);
            request.Headers.Authorization = new("Bearer", token);
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            var page = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            names.AddRange(page["value"]!.AsArray()
                .Where(i => i!["attributes"]?["enabled"]?.GetValue<bool>() != false)
                .Select(i => new Uri(i!["id"]!.GetValue<string>()).Segments[^1]));
            var link = page["nextLink"]?.GetValue<string>();
            next = link is null ? null : new Uri(link);
        }

        return names;
    }

    private static async Task<List<string>> BlobsAsync(HttpClient http, Uri vaultUri, string token, List<string> names)
    {
        var blobs = new List<string>();
        foreach (var name in names)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(vaultUri, $"secrets/{name}/backup{Api}"));
            request.Headers.Authorization = new("Bearer", token);
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            blobs.Add(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["value"]!.GetValue<string>());
        }

        return blobs;
    }
}
