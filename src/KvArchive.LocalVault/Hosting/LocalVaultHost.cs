using System.Net;
using System.Text.Json;
using KvArchive.LocalVault.Auth;
using KvArchive.LocalVault.Endpoints;
using KvArchive.LocalVault.Http;
using KvArchive.LocalVault.Management;
using KvArchive.LocalVault.Persistence;
using KvArchive.LocalVault.Store;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace KvArchive.LocalVault.Hosting;

/// <summary>Builds LocalVault (Kestrel on 127.0.0.1: HTTPS for vaults and management, plain HTTP for the identity endpoint) and runs it.</summary>
public static class LocalVaultHost
{
    public const string ReadyPrefix = "LOCALVAULT-READY ";

    public static async Task<int> RunAsync(LocalVaultOptions options)
    {
        var log = Console.Error;
        var certificate = TlsCertificateStore.LoadOrCreate(options.TlsDirectory, out var certificatePath);
        var clock = new VaultClock();
        var registry = new VaultRegistry { Port = options.Port };
        var identities = new IdentityRegistry();
        VaultPersistence? persistence = null;
        if (options.DataDirectory is not null)
        {
            try
            {
                persistence = new VaultPersistence(options.DataDirectory, log, options.CompactJournalBytes);
                persistence.LoadInto(registry, identities);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                await log.WriteLineAsync($"LocalVault cannot use the data directory: {e.Message}");
                if (persistence is not null)
                {
                    await persistence.DisposeAsync();
                }

                return 1;
            }
        }

        // Tokens are signed with the data directory's key, else with one derived from the TLS key and the geography:
        // every LocalVault of a geography sharing a TLS folder (a restart, the next Pester file's Start-KvLocalVault)
        // accepts the tokens of the others, as a vault keeps accepting Entra tokens across its restarts. Token caches (MSAL's managed-identity cache is
        // process-wide) would otherwise hand a restarted server a token it never signed.
        var tokens = new TokenService(persistence?.TokenSigningKey ?? TlsCertificateStore.DeriveTokenSigningKey(certificate, options.Geography));
        var defaults = new VaultSettings { Geography = options.Geography, DeleteDelayMs = options.DeleteDelayMs, Throttling = options.Throttling };
        foreach (var name in options.Vaults)
        {
            if (!VaultRegistry.IsValidName(name))
            {
                await log.WriteLineAsync($"Invalid vault name '{name}': 1-63 letters, digits and '-'.");
                return 2;
            }

            registry.TryCreate(name, defaults);
        }

        var secrets = new SecretEndpoints();
        var keys = new KeyEndpoints();
        var certificates = new CertificateEndpoints(secrets, keys);
        var durability = persistence is null ? null : new DurabilityGate(persistence);
        var pipeline = new VaultPipeline(registry, tokens, clock, new EndpointRouter(secrets, keys, certificates), log, durability);
        var identityEndpoint = new IdentityTokenEndpoint(tokens, identities, options.IdentityHeader);
        var management = new ManagementApi(registry, tokens, identities, clock, new Seeder(clock), identityEndpoint, options.ManagementKey, defaults, v => persistence?.Remove(v));
        var identityPort = -1;
        var dispatcher = new RequestDispatcher(pipeline, management, identityEndpoint, () => Volatile.Read(ref identityPort), options.LogRequests ? log : null, durability);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
            k.Listen(IPAddress.Loopback, options.Port, l =>
            {
                l.Protocols = HttpProtocols.Http1AndHttp2;
                l.UseHttps(certificate);
            });
            k.Listen(IPAddress.Loopback, options.IdentityPort, l => l.Protocols = HttpProtocols.Http1);
        });
        await using var app = builder.Build();
        app.Run(dispatcher.InvokeAsync);
        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            await log.WriteLineAsync($"LocalVault could not listen: {e.Message}");
            return 1;
        }

        var (httpsPort, httpPort) = Ports(app);
        registry.Port = httpsPort;
        Volatile.Write(ref identityPort, httpPort);
        if (persistence is not null)
        {
            // Vaults named on the command line are on disk before anyone is told the server is ready.
            persistence.Start();
            await persistence.FlushAsync();
        }

        PrintReady(options, registry, certificatePath, httpsPort, httpPort);
        if (options.ExitOnStdinClose)
        {
            StdinWatcher.Start(() => app.Lifetime.StopApplication());
        }

        await app.WaitForShutdownAsync();
        if (persistence is not null)
        {
            await persistence.DisposeAsync();
        }

        return 0;
    }

    private static (int Https, int Http) Ports(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        int https = 0, http = 0;
        foreach (var address in addresses)
        {
            var uri = new Uri(address);
            if (uri.Scheme == Uri.UriSchemeHttps)
            {
                https = uri.Port;
            }
            else
            {
                http = uri.Port;
            }
        }

        return (https, http);
    }

    private static void PrintReady(LocalVaultOptions options, VaultRegistry registry, string certificatePath, int port, int identityPort)
    {
        var identityEndpoint = $"http://127.0.0.1:{identityPort}{IdentityTokenEndpoint.Path}";
        var vaults = registry.All.Select(v => v.Name).ToArray();
        Console.WriteLine($"LocalVault is listening on https://127.0.0.1:{port}/ (Key Vault api-version {ApiVersions.Latest}).");
        Console.WriteLine($"Vaults are https://{{name}}{VaultRegistry.HostSuffix}:{port}/ ; *.localhost must map to 127.0.0.1 in the client.");
        foreach (var v in vaults)
        {
            Console.WriteLine($"  vault {v}: https://{v}{VaultRegistry.HostSuffix}:{port}/");
        }

        Console.WriteLine($"Trust the certificate {certificatePath} (KVARCHIVE_TRUSTED_CERTIFICATE / NODE_EXTRA_CA_CERTS).");
        Console.WriteLine($"Management: https://localhost:{port}{ManagementApi.Prefix}/ with header {ManagementApi.KeyHeader}: {options.ManagementKey}");
        Console.WriteLine($"Managed identity: IDENTITY_ENDPOINT={identityEndpoint} IDENTITY_HEADER={options.IdentityHeader}");
        if (options.DataDirectory is not null)
        {
            Console.WriteLine($"State is kept in {options.DataDirectory}.");
        }

        var ready = new Dictionary<string, object>
        {
            ["port"] = port,
            ["identityPort"] = identityPort,
            ["baseUri"] = $"https://localhost:{port}/",
            ["vaultUriTemplate"] = $"https://{{name}}{VaultRegistry.HostSuffix}:{port}/",
            ["certificatePath"] = certificatePath,
            ["managementKey"] = options.ManagementKey,
            ["identityEndpoint"] = identityEndpoint,
            ["identityHeader"] = options.IdentityHeader,
            ["vaults"] = vaults,
        };
        Console.WriteLine(ReadyPrefix + JsonSerializer.Serialize(ready));
    }
}
