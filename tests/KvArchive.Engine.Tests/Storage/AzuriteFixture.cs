using Azure.Storage.Blobs;
using KvArchive.Engine.Storage;
using KvArchive.TestSupport;

namespace KvArchive.Engine.Tests.Storage;

/// <summary>One Azurite blob service per test class, behind a <see cref="TcpFaultProxy"/> that counts and drops.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private int _containers;

    /// <summary>The Azurite process.</summary>
    public AzuriteServer Server { get; private set; } = null!;

    /// <summary>The proxy every engine request goes through.</summary>
    public TcpFaultProxy Proxy { get; private set; } = null!;

    /// <summary>A client straight to Azurite (not through the proxy), for checking what the engine left.</summary>
    public BlobServiceClient Direct { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Server = await AzuriteServer.StartAsync();
        Proxy = new TcpFaultProxy(Server.Port);
        Direct = new BlobServiceClient(Server.ConnectionString());
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Server.DisposeAsync();
    }

    /// <summary>A new container; returns its name.</summary>
    public async Task<string> NewContainerAsync()
    {
        var name = $"c{Interlocked.Increment(ref _containers)}-{Guid.NewGuid():N}"[..20];
        await Direct.GetBlobContainerClient(name).CreateAsync();
        return name;
    }

    /// <summary>The archive URL of a blob, through the proxy (Azurite's path style).</summary>
    public string Url(string container, string blob) => $"{AzuriteServer.Endpoint(Proxy.Port)}/{container}/{blob}";

    /// <summary>Storage options with small blocks and chunks, so that a test-sized archive has many of each.</summary>
    public static ArchiveStorageOptions Options(int blockSize = 64 * 1024, int chunkSize = 64 * 1024) => new()
    {
        ConnectionString = null,
        BlockSize = blockSize,
        ChunkSize = chunkSize,
        MaxRetries = 4,
        NetworkTimeout = TimeSpan.FromSeconds(30),
    };
}
