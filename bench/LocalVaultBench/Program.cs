using System.Text;
using KvArchive.TestSupport;

namespace LocalVaultBench;

/// <summary>
/// Starts LocalVault (throttling off) through KvArchive.TestSupport, seeds a vault, and measures requests/s of
/// GET secret and POST backup with concurrent HTTPS clients.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var options = BenchOptions.Parse(args);
        var loadBefore = ResultsWriter.LoadAverage();
        await using var server = await LocalVaultServer.StartAsync("--no-throttling");
        const string Vault = "bench";
        var vaultUri = await server.CreateVaultAsync(Vault, new { throttling = false });
        await server.SeedAsync(Vault, new { secrets = options.Secrets, versions = 1, prefix = "bench" });
        var (token, _) = await server.CreateTokenAsync("bench");

        // The seeded names: read from the vault rather than guessed from the seed's naming.
        using var lister = server.CreateRawClient();
        var names = new List<string>();
        var next = new Uri(vaultUri, "secrets?api-version=2026-04-01");
        while (next is not null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, next);
            request.Headers.Authorization = new("Bearer", token);
            using var response = await lister.SendAsync(request);
            response.EnsureSuccessStatusCode();
            var page = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            // The seed disables every 7th secret; a GET of those is a 403, so measure the enabled ones.
            names.AddRange(page["value"]!.AsArray()
                .Where(i => i!["attributes"]?["enabled"]?.GetValue<bool>() != false)
                .Select(i => new Uri(i!["id"]!.GetValue<string>()).Segments[^1]));
            var link = page["nextLink"]?.GetValue<string>();
            next = link is null ? null : new Uri(link);
        }

        if (names.Count == 0)
        {
            Console.Error.WriteLine("The seed created no secrets.");
            return 1;
        }

        var clients = Enumerable.Range(0, options.Concurrency).Select(_ => new HttpClient(server.CreateHandler()) { Timeout = TimeSpan.FromSeconds(30) }).ToList();
        var results = new List<Measurement>();
        try
        {
            Console.WriteLine($"LocalVault on port {server.Port}; {names.Count} secrets; {options.Concurrency} clients; {options.Duration.TotalSeconds:F0} s per operation");
            results.Add(await LoadRunner.RunAsync("GET secret", clients, token,
                (w, n) => new HttpRequestMessage(HttpMethod.Get, new Uri(vaultUri, $"secrets/{names[(int)((w * 7919L + Math.Max(n, 0)) % names.Count)]}?api-version=2026-04-01")),
                options.Duration));
            results.Add(await LoadRunner.RunAsync("POST backup", clients, token,
                (w, n) => new HttpRequestMessage(HttpMethod.Post, new Uri(vaultUri, $"secrets/{names[(int)((w * 7919L + Math.Max(n, 0)) % names.Count)]}/backup?api-version=2026-04-01")),
                options.Duration));
        }
        finally
        {
            foreach (var c in clients)
            {
                c.Dispose();
            }
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
}
