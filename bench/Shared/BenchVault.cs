using System.Security;
using KvArchive.Engine.Connection;
using KvArchive.Engine.Hosting;
using KvArchive.Engine.Vault;
using KvArchive.TestSupport;

namespace KvArchive.BenchSupport;

/// <summary>
/// A LocalVault vault of the benchmarks' mix (85 % secrets, 10 % keys, 5 % certificates, one version each) behind
/// the given latency, with a token of its own: how the engine's benches (IncrementalBench, BlobBench) connect to it
/// and count what it was asked.
/// </summary>
internal sealed class BenchVault
{
    private readonly LocalVaultServer _server;
    private readonly SecureString _token;

    private BenchVault(LocalVaultServer server, string name, int secrets, int keys, int certificates, SecureString token)
    {
        _server = server;
        Name = name;
        Secrets = secrets;
        Keys = keys;
        Certificates = certificates;
        _token = token;
        Uri = new Uri($"https://{name}.vault.localhost:{server.Port}/");
    }

    public string Name { get; }

    public Uri Uri { get; }

    public int Secrets { get; }

    public int Keys { get; }

    public int Certificates { get; }

    /// <summary>Creates and seeds the vault, sets its latency, and issues the bench's token.</summary>
    public static async Task<BenchVault> CreateAsync(LocalVaultServer server, string name, int size, int latencyMs, int jitterMs)
    {
        await server.CreateVaultAsync(name);
        var certificates = size * 5 / 100;
        var keys = size / 10;
        var secrets = size - keys - certificates;
        Console.WriteLine($"Seeding {size} objects ({secrets} secrets, {keys} keys, {certificates} certificates)");
        await server.SeedAsync(name, new { secrets, keys, certificates, versions = 1, prefix = "b" });
        await server.SetFaultsAsync(name, new { latencyMs, jitterMs });
        var token = new SecureString();
        foreach (var c in (await server.CreateTokenAsync("bench", lifetimeSeconds: 7200)).Token)
        {
            token.AppendChar(c);
        }

        token.MakeReadOnly();
        return new BenchVault(server, name, secrets, keys, certificates, token);
    }

    /// <summary>A client as a cmdlet builds one: the token, LocalVault's root, the session's observer.</summary>
    public IVaultClient Connect(Uri uri, IRequestObserver? observer) => VaultClientFactory.Create(new VaultConnectionOptions
    {
        VaultUri = uri,
        CredentialKind = KvCredentialKind.AccessToken,
        AccessToken = _token,
        TrustedCertificatePath = _server.CertificatePath,
    }, observer);

    /// <summary>Requests the vault answered since its statistics were reset, less the authentication challenges.</summary>
    public async Task<long> RequestsAsync()
    {
        var stats = await _server.GetStatsAsync(Name);
        return stats["requests"]!.GetValue<long>() - (stats["byStatus"]?["401"]?.GetValue<long>() ?? 0);
    }

    /// <summary>The machine's load average (1, 5, 15 min), for the results' header.</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}

/// <summary>Counts what a backup writes (its records and errors), keeps nothing; stops the run (as Ctrl+C does) after <see cref="StopAfterRecords"/> records.</summary>
internal sealed class CountingHost : IHostContext
{
    private readonly CancellationTokenSource _stop = new();
    private int _records;

    public int Errors { get; private set; }

    public string? FirstError { get; private set; }

    public int? StopAfterRecords { get; init; }

    public CancellationToken CancellationToken => _stop.Token;

    public void WriteObject(object item)
    {
        if (++_records >= StopAfterRecords)
        {
            _stop.Cancel();
        }
    }

    public void WriteError(KvError error)
    {
        Errors++;
        FirstError ??= error.Exception.Message;
    }

    public void WriteWarning(string message)
    {
    }

    public void WriteVerbose(string message)
    {
    }

    public void WriteDebug(string message)
    {
    }

    public void WriteProgress(KvProgress progress)
    {
    }

    public bool ShouldProcess(string target, string action) => true;
}
