using System.Security;
using KvArchive.TestSupport;

namespace KvArchive.Module.Tests.Infrastructure;

/// <summary>
/// One LocalVault process per test collection and the path of the BUILT module (out/KvArchive). Every test makes
/// its own vault for isolation and talks to it through real PowerShell pipelines.
/// </summary>
public class ModuleFixture : IAsyncLifetime
{
    private static int s_counter;

    /// <summary>The running server.</summary>
    public LocalVaultServer Server { get; private set; } = null!;

    /// <summary>out/KvArchive/KvArchive.psd1, laid out by building src/KvArchive.</summary>
    public string ManifestPath { get; } = Path.Combine(LocalVaultServer.RepoRoot(), "out", "KvArchive", "KvArchive.psd1");

    /// <summary>A token with every permission.</summary>
    public string Token { get; private set; } = string.Empty;

    /// <summary>Extra LocalVault arguments.</summary>
    protected virtual string[] Arguments => [];

    public async Task InitializeAsync()
    {
        // Before anything imports the module: a conflicting Azure.Core sits in the default context for every test.
        ForeignAzureCore.EnsureLoaded();
        if (!File.Exists(ManifestPath))
        {
            throw new FileNotFoundException($"The module is not laid out at {ManifestPath}; build src/KvArchive first.");
        }

        Server = await LocalVaultServer.StartAsync(Arguments);
        Token = (await Server.CreateTokenAsync("module-tests")).Token;
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    /// <summary>A unique valid vault name.</summary>
    public static string UniqueVaultName(string prefix = "m")
    {
        var n = Interlocked.Increment(ref s_counter);
        var name = $"{prefix}{n}-{Guid.NewGuid():N}";
        return name[..Math.Min(24, name.Length)];
    }

    /// <summary>Creates a fresh vault; settings as in LocalVault's management API.</summary>
    public async Task<Uri> NewVaultAsync(object? settings = null, string prefix = "m")
        => await Server.CreateVaultAsync(UniqueVaultName(prefix), settings);

    /// <summary>A token limited to some permissions.</summary>
    public async Task<SecureString> LimitedTokenAsync(params string[] permissions)
        => ToSecureString((await Server.CreateTokenAsync("limited-" + Guid.NewGuid().ToString("N")[..8], permissions)).Token);

    /// <summary>A PowerShell session that imported the built module; interactive sessions have a host that can prompt.</summary>
    public PowerShellSession NewSession(bool interactive = false) => new(this, interactive);

    /// <summary>A read-only SecureString of a string (ConvertTo-SecureString is not in a bare SMA host).</summary>
    public static SecureString ToSecureString(string value)
    {
        var s = new SecureString();
        foreach (var c in value)
        {
            s.AppendChar(c);
        }

        s.MakeReadOnly();
        return s;
    }
}
