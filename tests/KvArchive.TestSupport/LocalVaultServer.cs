using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;

namespace KvArchive.TestSupport;

/// <summary>
/// A LocalVault started as a real process on a free loopback port, for tests and benchmarks. Always dispose it:
/// disposing closes its standard input (it exits on that) and kills it if it lingers.
/// </summary>
public sealed class LocalVaultServer : IAsyncDisposable, IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly HttpClient _management;
    private readonly X509Certificate2 _trustedRoot;

    private LocalVaultServer(Process process, JsonObject ready)
    {
        _process = process;
        Port = ready["port"]!.GetValue<int>();
        IdentityPort = ready["identityPort"]!.GetValue<int>();
        CertificatePath = ready["certificatePath"]!.GetValue<string>();
        ManagementKey = ready["managementKey"]!.GetValue<string>();
        IdentityEndpoint = ready["identityEndpoint"]!.GetValue<string>();
        IdentityHeader = ready["identityHeader"]!.GetValue<string>();
        BaseUri = new Uri($"https://localhost:{Port}/");
        _trustedRoot = X509Certificate2.CreateFromPem(File.ReadAllText(CertificatePath));
        _management = new HttpClient(CreateHandler()) { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(60) };
        _management.DefaultRequestHeaders.Add("x-localvault-key", ManagementKey);
    }

    /// <summary>HTTPS port.</summary>
    public int Port { get; }

    /// <summary>Plain-HTTP port of the managed-identity endpoint.</summary>
    public int IdentityPort { get; }

    /// <summary>PEM of the server certificate to trust.</summary>
    public string CertificatePath { get; }

    /// <summary>Key of the management endpoints.</summary>
    public string ManagementKey { get; }

    /// <summary>Value for IDENTITY_ENDPOINT.</summary>
    public string IdentityEndpoint { get; }

    /// <summary>Value for IDENTITY_HEADER.</summary>
    public string IdentityHeader { get; }

    /// <summary>https://localhost:{port}/ (management).</summary>
    public Uri BaseUri { get; }

    /// <summary>What the process wrote so far (for failure messages).</summary>
    public string Log { get { lock (_log) { return _log.ToString(); } } }

    /// <summary>The TLS folder every test process shares, so one certificate serves every LocalVault.</summary>
    public static string SharedTlsDirectory { get; } = Path.Combine(Path.GetTempPath(), "kvarchive-test-tls");

    /// <summary>The vault URI of a vault name.</summary>
    public Uri VaultUri(string name) => new($"https://{name}.vault.localhost:{Port}/");

    /// <summary>Starts LocalVault with extra command-line arguments (e.g. "--vault", "prod").</summary>
    public static async Task<LocalVaultServer> StartAsync(params string[] extraArgs)
    {
        var dll = FindLocalVaultDll();
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in new[] { "--port", "0", "--identity-port", "0", "--tls-dir", SharedTlsDirectory, "--exit-on-stdin-close" })
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var a in extraArgs)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start LocalVault.");
        var log = new StringBuilder();
        var readyLine = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                readyLine.TrySetException(new InvalidOperationException("LocalVault exited before it was ready:\n" + log));
                return;
            }

            lock (log) { log.AppendLine(e.Data); }
            if (e.Data.StartsWith("LOCALVAULT-READY ", StringComparison.Ordinal))
            {
                readyLine.TrySetResult(e.Data["LOCALVAULT-READY ".Length..]);
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var timeout = Task.Delay(TimeSpan.FromSeconds(90));
        if (await Task.WhenAny(readyLine.Task, timeout) == timeout)
        {
            try { process.Kill(true); } catch (InvalidOperationException) { }
            throw new TimeoutException("LocalVault did not report ready within 90 s:\n" + log);
        }

        var ready = JsonNode.Parse(await readyLine.Task)!.AsObject();
        var server = new LocalVaultServer(process, ready);
        lock (log) { server._log.Append(log); }
        Environment.SetEnvironmentVariable("KVARCHIVE_TRUSTED_CERTIFICATE", server.CertificatePath);
        using var health = await server._management.GetAsync("_localvault/health");
        health.EnsureSuccessStatusCode();
        return server;
    }

    /// <summary>Finds the built LocalVault next to this test run's configuration.</summary>
    public static string FindLocalVaultDll()
    {
        var root = RepoRoot();
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        foreach (var c in new[] { configuration, configuration == "Release" ? "Debug" : "Release" })
        {
            var path = Path.Combine(root, "src", "KvArchive.LocalVault", "bin", c, "net8.0", "KvArchive.LocalVault.dll");
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException("LocalVault is not built; run 'dotnet build' at the repository root.");
    }

    /// <summary>The repository root (the folder holding KvArchive.sln).</summary>
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KvArchive.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("KvArchive.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>
    /// A handler that trusts LocalVault's certificate (only it, only for loopback hosts) and maps *.localhost
    /// to 127.0.0.1, as the KvArchive engine does.
    /// </summary>
    public SocketsHttpHandler CreateHandler() => CreateHandler(_trustedRoot);

    /// <summary>Same as <see cref="CreateHandler()"/> for a given root.</summary>
    public static SocketsHttpHandler CreateHandler(X509Certificate2 trustedRoot) => new()
    {
        MaxConnectionsPerServer = 256,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = async (ctx, ct) =>
        {
            var host = ctx.DnsEndPoint.Host;
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, ctx.DnsEndPoint.Port), ct);
                }
                else
                {
                    await socket.ConnectAsync(ctx.DnsEndPoint, ct);
                }

                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, cert, _, errors) =>
            {
                if (errors == SslPolicyErrors.None)
                {
                    return true;
                }

                if (cert is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(trustedRoot);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(cert));
            },
        },
    };

    /// <summary>An Azure.Core transport over <see cref="CreateHandler()"/>, for SDK client options.</summary>
    public HttpClientTransport CreateTransport() => new(new HttpClient(CreateHandler()));

    /// <summary>A credential that gets its tokens from LocalVault's token endpoint.</summary>
    public TokenCredential CreateCredential(string identity = "tests", IEnumerable<string>? permissions = null)
        => new LocalVaultCredential(this, identity, permissions?.ToArray());

    /// <summary>Issues a token for an identity (all permissions when null).</summary>
    public async Task<(string Token, DateTimeOffset ExpiresOn)> CreateTokenAsync(string identity = "tests", IEnumerable<string>? permissions = null, int lifetimeSeconds = 3600)
    {
        var body = new JsonObject { ["identity"] = identity, ["lifetimeSeconds"] = lifetimeSeconds };
        if (permissions is not null)
        {
            body["permissions"] = new JsonArray(permissions.Select(p => (JsonNode)p!).ToArray());
        }

        var result = await SendAsync(HttpMethod.Post, "_localvault/tokens", body);
        return (result["access_token"]!.GetValue<string>(), DateTimeOffset.FromUnixTimeSeconds(result["expires_on"]!.GetValue<long>()));
    }

    /// <summary>Creates a vault; settings as in the management API (name is added).</summary>
    public async Task<Uri> CreateVaultAsync(string name, object? settings = null)
    {
        var body = settings is null ? new JsonObject() : JsonSerializer.SerializeToNode(settings)!.AsObject();
        body["name"] = name;
        await SendAsync(HttpMethod.Post, "_localvault/vaults", body);
        return VaultUri(name);
    }

    /// <summary>Changes a vault's settings.</summary>
    public Task UpdateVaultAsync(string name, object settings) => SendAsync(HttpMethod.Patch, $"_localvault/vaults/{name}", JsonSerializer.SerializeToNode(settings));

    /// <summary>Seeds objects server-side.</summary>
    public Task<JsonObject> SeedAsync(string vault, object seed) => SendAsync(HttpMethod.Post, $"_localvault/vaults/{vault}/seed", JsonSerializer.SerializeToNode(seed));

    /// <summary>Sets latency and fault rules of a vault.</summary>
    public Task SetFaultsAsync(string vault, object faults) => SendAsync(HttpMethod.Put, $"_localvault/vaults/{vault}/faults", JsonSerializer.SerializeToNode(faults));

    /// <summary>Clears a vault's faults.</summary>
    public Task ClearFaultsAsync(string vault) => SendAsync(HttpMethod.Delete, $"_localvault/vaults/{vault}/faults", null);

    /// <summary>Moves the server's clock.</summary>
    public Task SetClockAsync(object clock) => SendAsync(HttpMethod.Put, "_localvault/clock", JsonSerializer.SerializeToNode(clock));

    /// <summary>A vault's request statistics.</summary>
    public Task<JsonObject> GetStatsAsync(string vault) => SendAsync(HttpMethod.Get, $"_localvault/vaults/{vault}/stats", null);

    /// <summary>Resets a vault's request statistics.</summary>
    public Task ResetStatsAsync(string vault) => SendAsync(HttpMethod.Delete, $"_localvault/vaults/{vault}/stats", null);

    /// <summary>Defines a user-assigned identity and its permissions.</summary>
    public Task DefineIdentityAsync(string clientId, IEnumerable<string>? permissions)
        => SendAsync(HttpMethod.Put, $"_localvault/identities/{clientId}", new JsonObject { ["permissions"] = permissions is null ? null : new JsonArray(permissions.Select(p => (JsonNode)p!).ToArray()) });

    /// <summary>Sends a management request; throws with the server's answer on failure.</summary>
    public async Task<JsonObject> SendAsync(HttpMethod method, string path, JsonNode? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await _management.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"LocalVault management {method} {path} answered {(int)response.StatusCode}: {text}", null, response.StatusCode);
        }

        return string.IsNullOrWhiteSpace(text) ? new JsonObject() : JsonNode.Parse(text) as JsonObject ?? new JsonObject();
    }

    /// <summary>Kills the process at once (SIGKILL on Unix), as a crash would, and waits until it is gone.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    /// <summary>A raw HTTP client (trusting LocalVault) for tests of exact bodies and headers.</summary>
    public HttpClient CreateRawClient() => new(CreateHandler()) { Timeout = TimeSpan.FromSeconds(60) };

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _management.Dispose();
        try
        {
            _process.StandardInput.Close();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or IOException)
        {
            try { _process.Kill(true); } catch (InvalidOperationException) { }
        }

        _process.Dispose();
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private sealed class LocalVaultCredential(LocalVaultServer server, string identity, string[]? permissions) : TokenCredential
    {
        private AccessToken? _cached;

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
            => GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            if (_cached is { } c && c.ExpiresOn > DateTimeOffset.UtcNow.AddMinutes(5))
            {
                return c;
            }

            var (token, expires) = await server.CreateTokenAsync(identity, permissions);
            _cached = new AccessToken(token, expires);
            return _cached.Value;
        }
    }
}
