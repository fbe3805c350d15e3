using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace KvArchive.TestSupport;

/// <summary>
/// Azurite's blob service (npm <c>azurite</c>, installed in tests/KvArchive.LocalVault.Tests/js by <c>npm ci</c>) as a
/// real process on a free loopback port, in memory, stopped when disposed. Its account is Azurite's development
/// account (devstoreaccount1).
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    /// <summary>Azurite's development account.</summary>
    public const string Account = "devstoreaccount1";

    /// <summary>Azurite's published development key (only an emulator accepts it).</summary>
    public const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;

    private AzuriteServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    /// <summary>The blob service's port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The account's blob endpoint, e.g. http://127.0.0.1:PORT/devstoreaccount1.</summary>
    public Uri BlobEndpoint => Endpoint(Port);

    /// <summary>A connection string for this endpoint (or another port of it, such as a proxy's).</summary>
    public string ConnectionString(int? port = null)
        => $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={Key};BlobEndpoint={Endpoint(port ?? Port)};";

    /// <summary>The endpoint of the account at a port of 127.0.0.1.</summary>
    public static Uri Endpoint(int port) => new($"http://127.0.0.1:{port}/{Account}");

    /// <summary>Where azurite's blob entry point is installed.</summary>
    public static string FindAzurite()
    {
        var main = Path.Combine(LocalVaultServer.RepoRoot(), "tests", "KvArchive.LocalVault.Tests", "js", "node_modules", "azurite", "dist", "src", "blob", "main.js");
        return File.Exists(main)
            ? main
            : throw new FileNotFoundException($"Azurite is not installed ({main}); run 'npm ci' in tests/KvArchive.LocalVault.Tests/js.");
    }

    /// <summary>Starts Azurite's blob service and waits until it accepts connections.</summary>
    public static async Task<AzuriteServer> StartAsync()
    {
        var port = FreePort();
        var psi = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { FindAzurite(), "--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry" })
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start Azurite (node).");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new AzuriteServer(process, port);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {process.ExitCode} before listening on {port}.");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return server;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>A port no one listens on now.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }
}
