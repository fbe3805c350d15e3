using System.Runtime.InteropServices;
using System.Security;
using KvArchive.Engine.Connection;
using KvArchive.Engine.Vault;
using KvArchive.TestSupport;

namespace KvArchive.Engine.Tests.Vault.Infrastructure;

/// <summary>
/// One LocalVault process per test class; each test makes its own vault and connects the engine to it with an
/// access token and LocalVault's certificate as the trusted root.
/// </summary>
public sealed class VaultFixture : IAsyncLifetime
{
    private static int s_counter;
    private readonly List<IDisposable> _clients = [];

    public LocalVaultServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await LocalVaultServer.StartAsync();

    public async Task DisposeAsync()
    {
        lock (_clients)
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }

        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    /// <summary>A unique vault name (at most 24 characters).</summary>
    public static string UniqueName(string prefix)
    {
        var name = $"{prefix}{Interlocked.Increment(ref s_counter)}-{Guid.NewGuid():N}";
        return name[..Math.Min(24, name.Length)];
    }

    /// <summary>Creates a vault (settings as in LocalVault's management API).</summary>
    public async Task<string> NewVaultAsync(object? settings = null, string prefix = "e")
    {
        var name = UniqueName(prefix);
        await Server.CreateVaultAsync(name, settings);
        return name;
    }

    /// <summary>Connection options for a vault with a token (all permissions unless given) and fast retries.</summary>
    public async Task<VaultConnectionOptions> OptionsAsync(string vault, IEnumerable<string>? permissions = null, int maxRetries = 3)
    {
        var (token, _) = await Server.CreateTokenAsync("engine-tests", permissions);
        return new VaultConnectionOptions
        {
            VaultUri = Server.VaultUri(vault),
            CredentialKind = KvCredentialKind.AccessToken,
            AccessToken = Secure(token),
            TrustedCertificatePath = Server.CertificatePath,
            MaxRetries = maxRetries,
            RetryDelay = TimeSpan.FromMilliseconds(20),
            MaxRetryDelay = TimeSpan.FromMilliseconds(200),
            NetworkTimeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>Connects the engine to a vault.</summary>
    public async Task<IVaultClient> ConnectAsync(string vault, IRequestObserver? observer = null, IEnumerable<string>? permissions = null, int maxRetries = 3)
        => Track(VaultClientFactory.Create(await OptionsAsync(vault, permissions, maxRetries), observer));

    /// <summary>Keeps a client to dispose with the fixture.</summary>
    public IVaultClient Track(IVaultClient client)
    {
        if (client is IDisposable disposable)
        {
            lock (_clients)
            {
                _clients.Add(disposable);
            }
        }

        return client;
    }

    /// <summary>A read-only SecureString.</summary>
    public static SecureString Secure(string text)
    {
        var secure = new SecureString();
        foreach (var c in text)
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return secure;
    }

    /// <summary>The text of a SecureString (tests only).</summary>
    public static string Plain(SecureString secure)
    {
        var ptr = Marshal.SecureStringToGlobalAllocUnicode(secure);
        try
        {
            return Marshal.PtrToStringUni(ptr, secure.Length);
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(ptr);
        }
    }
}
