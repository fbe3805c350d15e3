using System.Net.Http.Headers;
using Azure.Core;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using KvArchive.TestSupport;

namespace KvArchive.LocalVault.Tests.Infrastructure;

/// <summary>
/// One LocalVault process shared by a test class; every test makes its own vault in it for isolation.
/// </summary>
public class LocalVaultFixture : IAsyncLifetime
{
    private static int s_counter;
    private readonly string[] _arguments = [];
    private string? _token;

    /// <summary>For xunit class fixtures: the process takes <see cref="Arguments"/>.</summary>
    public LocalVaultFixture()
    {
    }

    private LocalVaultFixture(string[] arguments) => _arguments = arguments;

    /// <summary>The running server.</summary>
    public LocalVaultServer Server { get; private set; } = null!;

    /// <summary>Extra command-line arguments of the process.</summary>
    protected virtual string[] Arguments => _arguments;

    /// <summary>A credential with every permission.</summary>
    public TokenCredential Credential { get; private set; } = null!;

    /// <summary>A raw HTTP client trusting LocalVault and mapping *.localhost to loopback.</summary>
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await LocalVaultServer.StartAsync(Arguments);
        Credential = Server.CreateCredential();
        Http = Server.CreateRawClient();
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    /// <summary>Starts a LocalVault process with the given arguments outside xunit's fixture lifetime.</summary>
    public static async Task<LocalVaultFixture> StartAsync(params string[] arguments)
    {
        var fixture = new LocalVaultFixture(arguments);
        await fixture.InitializeAsync();
        return fixture;
    }

    /// <summary>A token with every permission (cached for the fixture's lifetime).</summary>
    public async Task<string> TokenAsync()
        => _token ??= (await Server.CreateTokenAsync("fixture")).Token;

    /// <summary>A unique, valid vault name (letters, digits, hyphens; at most 24 characters).</summary>
    public static string UniqueVaultName(string prefix = "v")
    {
        var n = Interlocked.Increment(ref s_counter);
        var name = $"{prefix}{n}-{Guid.NewGuid():N}";
        return name[..Math.Min(24, name.Length)];
    }

    /// <summary>Creates a fresh vault; settings as in the management API.</summary>
    public async Task<VaultRef> NewVaultAsync(object? settings = null, string prefix = "v")
    {
        var name = UniqueVaultName(prefix);
        var uri = await Server.CreateVaultAsync(name, settings);
        return new VaultRef(name, uri);
    }

    /// <summary>A SecretClient over real HTTPS with fast retries.</summary>
    public SecretClient Secrets(VaultRef vault, TokenCredential? credential = null, Action<SecretClientOptions>? configure = null)
    {
        var options = new SecretClientOptions { Transport = Server.CreateTransport() };
        options.Retry.Delay = TimeSpan.FromMilliseconds(50);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(500);
        configure?.Invoke(options);
        return new SecretClient(vault.Uri, credential ?? Credential, options);
    }

    /// <summary>A CertificateClient over real HTTPS with fast retries.</summary>
    public CertificateClient Certificates(VaultRef vault, TokenCredential? credential = null, Action<CertificateClientOptions>? configure = null)
    {
        var options = new CertificateClientOptions { Transport = Server.CreateTransport() };
        options.Retry.Delay = TimeSpan.FromMilliseconds(50);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(500);
        configure?.Invoke(options);
        return new CertificateClient(vault.Uri, credential ?? Credential, options);
    }

    /// <summary>Sends a raw request to a vault with a valid token (or the given one; "" for none).</summary>
    public async Task<RawResponse> SendAsync(HttpMethod method, Uri uri, string? body = null, string? token = null, IDictionary<string, string>? headers = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, uri);
        token ??= await TokenAsync();
        if (token.Length > 0)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (headers is not null)
        {
            foreach (var (k, v) in headers)
            {
                request.Headers.TryAddWithoutValidation(k, v);
            }
        }

        if (body is not null)
        {
            request.Content = new StringContent(body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await Http.SendAsync(request);
        return await RawResponse.ReadAsync(response);
    }

    /// <summary>Sends a raw request to a path of a vault ("secrets/x?api-version=…" relative to the vault URI).</summary>
    public Task<RawResponse> SendAsync(HttpMethod method, VaultRef vault, string pathAndQuery, string? body = null, string? token = null, IDictionary<string, string>? headers = null)
        => SendAsync(method, new Uri(vault.Uri, pathAndQuery), body, token, headers);
}

/// <summary>A vault created for one test.</summary>
public sealed record VaultRef(string Name, Uri Uri)
{
    public override string ToString() => Uri.ToString();
}
