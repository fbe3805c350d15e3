using KvArchive.Engine.Archive;
using KvArchive.Engine.Tests.Archive;
using KvArchive.Engine.Tests.Hosting;
using KvArchive.Engine.Tests.Vault.Infrastructure;
using KvArchive.Engine.Transfer;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Transfer;

/// <summary>An archive compared with the vault it came from after changes of every kind, and with a later archive.</summary>
[Trait("Category", "LocalVault")]
public sealed class ArchiveComparisonLocalVaultTests(VaultFixture fixture) : IClassFixture<VaultFixture>, IDisposable
{
    private static readonly KvObjectType[] AllKinds = [KvObjectType.Certificate, KvObjectType.Key, KvObjectType.Secret];
    private readonly string _folder = ArchiveTestData.NewFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static async Task<IReadOnlyList<KvDifference>> CompareAsync(string archive, IVaultClient client, bool includeEqual = false)
    {
        using var reader = ArchiveReader.Open(archive);
        var comparison = ArchiveComparison.ForVault(reader, client.VaultUri, AllKinds, includeEqual);
        foreach (var type in AllKinds)
        {
            await foreach (var item in client.ListAsync(type, default))
            {
                comparison.AddListed(item);
            }
        }

        return comparison.Complete();
    }

    [Fact]
    public async Task Added_removed_and_changed_objects_of_every_kind_are_told_apart()
    {
        var vault = await fixture.NewVaultAsync(prefix: "cmp");
        await fixture.Server.SeedAsync(vault, new { secrets = 0, keys = 0, certificates = 2, versions = 1, prefix = "cert" });
        var client = await fixture.ConnectAsync(vault);
        foreach (var name in new[] { "same", "tagged", "disabled", "typed", "versioned", "deleted" })
        {
            await client.SetSecretAsync(name, "v1", new KvSecretSetOptions { ContentType = "text/plain" }, default);
        }

        await client.CreateKeyAsync("key-same", new KvKeyCreateOptions { KeyType = "EC", CurveName = "P-256" }, default);
        await client.CreateKeyAsync("key-expiring", new KvKeyCreateOptions { KeyType = "EC", CurveName = "P-256" }, default);
        var archive = Path.Combine(_folder, "base.kva");
        using (var host = new RecordingHost())
        {
            await LocalVaultTransfer.BackupAsync(host, await LocalVaultTransfer.FactoryAsync(fixture), archive, client.VaultUri, AllKinds);
        }

        Assert.Empty(await CompareAsync(archive, client));
        Assert.Equal(10, (await CompareAsync(archive, client, includeEqual: true)).Count(d => d.State == KvDifferenceState.Unchanged));

        // Changes in the same second as the backup still show: each property is compared, not only the times.
        var certificates = new List<KvObject>();
        await foreach (var c in client.ListAsync(KvObjectType.Certificate, default))
        {
            certificates.Add(c);
        }

        await client.UpdateAsync(KvObjectType.Secret, "tagged", null, new KvPropertyUpdate { Tags = new Dictionary<string, string> { ["owner"] = "ops" } }, default);
        await client.UpdateAsync(KvObjectType.Secret, "disabled", null, new KvPropertyUpdate { Enabled = false }, default);
        await client.UpdateAsync(KvObjectType.Secret, "typed", null, new KvPropertyUpdate { ContentType = "application/json" }, default);
        await client.UpdateAsync(KvObjectType.Key, "key-expiring", null, new KvPropertyUpdate { ExpiresOn = DateTimeOffset.UtcNow.AddDays(9) }, default);
        await client.UpdateAsync(KvObjectType.Certificate, certificates[0].Name, null, new KvPropertyUpdate { Tags = new Dictionary<string, string> { ["rotated"] = "no" } }, default);
        await Task.Delay(1100);
        await client.SetSecretAsync("versioned", "v2", new KvSecretSetOptions { ContentType = "text/plain" }, default);
        await client.DeleteAsync(KvObjectType.Secret, "deleted", default);
        await client.SetSecretAsync("added", "v1", new KvSecretSetOptions(), default);

        var differences = await CompareAsync(archive, client);
        var byName = differences.ToDictionary(d => d.Name);
        Assert.Equal(KvDifferenceState.Added, byName["added"].State);
        Assert.Equal(KvDifferenceState.Removed, byName["deleted"].State);
        Assert.Contains("Tags", byName["tagged"].Changes);
        Assert.Contains("Enabled", byName["disabled"].Changes);
        Assert.Contains("ContentType", byName["typed"].Changes);
        Assert.Contains("ExpiresOn", byName["key-expiring"].Changes);
        Assert.Contains("Tags", byName[certificates[0].Name].Changes);
        Assert.Contains("CreatedOn", byName["versioned"].Changes);
        Assert.All(differences.Where(d => d.State == KvDifferenceState.Changed), d => Assert.Equal(client.VaultUri, d.VaultUri));
        Assert.DoesNotContain("same", byName.Keys);
        Assert.DoesNotContain("key-same", byName.Keys);
        Assert.DoesNotContain(certificates[1].Name, byName.Keys);
        Assert.Equal(8, differences.Count);

        // A second backup compared with the first: the same differences, and the versions recorded.
        var later = Path.Combine(_folder, "later.kva");
        using (var host = new RecordingHost())
        {
            await LocalVaultTransfer.BackupAsync(host, await LocalVaultTransfer.FactoryAsync(fixture), later, client.VaultUri, AllKinds);
        }

        using var first = ArchiveReader.Open(archive);
        using var second = ArchiveReader.Open(later);
        var between = ArchiveComparison.Between(first, second);
        Assert.Equal(differences.Select(d => (d.Name, d.State)), between.Select(d => (d.Name, d.State)));
        Assert.Contains("Versions", between.Single(d => d.Name == "versioned").Changes);
        Assert.All(between, d => Assert.Equal((archive, later), (d.Path, d.DifferencePath)));
    }
}
