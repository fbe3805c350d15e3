using KvArchive.Engine.Tests.Archive;
using KvArchive.Engine.Tests.Vault.Infrastructure;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Transfer;

/// <summary>
/// What every transfer test against a real LocalVault starts from: the shared server, a folder of its own for
/// archives (deleted after the test), and the vault's request count as the service would bill it.
/// </summary>
public abstract class LocalVaultTransferTest(VaultFixture fixture) : IClassFixture<VaultFixture>, IDisposable
{
    /// <summary>Secrets, keys and certificates.</summary>
    protected static readonly KvObjectType[] AllKinds = [KvObjectType.Secret, KvObjectType.Key, KvObjectType.Certificate];

    /// <summary>The LocalVault shared by the test class.</summary>
    protected VaultFixture Fixture => fixture;

    /// <summary>The test's own folder.</summary>
    protected string Folder { get; } = ArchiveTestData.NewFolder();

    /// <summary>The archive most tests write.</summary>
    protected string ArchivePath => Path.Combine(Folder, "vault.kva");

    public void Dispose()
    {
        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Requests the vault answered since its statistics were reset, less the authentication challenges.</summary>
    protected async Task<int> RequestsPastTheChallengeAsync(string vault)
    {
        var stats = await fixture.Server.GetStatsAsync(vault);
        return (int)stats["requests"]! - ((int?)stats["byStatus"]!["401"] ?? 0);
    }

    /// <summary>What listing every kind of the vault costs alone (its pages); resets the statistics before and after.</summary>
    protected async Task<int> ListPagesAsync(string vault, IVaultClient client)
    {
        await fixture.Server.ResetStatsAsync(vault);
        foreach (var type in AllKinds)
        {
            await foreach (var _ in client.ListAsync(type, default))
            {
            }
        }

        var pages = await RequestsPastTheChallengeAsync(vault);
        await fixture.Server.ResetStatsAsync(vault);
        return pages;
    }
}
