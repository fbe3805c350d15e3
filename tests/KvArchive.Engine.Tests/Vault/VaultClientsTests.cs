using KvArchive.Engine.Tests.Archive;
using KvArchive.Engine.Tests.Hosting;
using KvArchive.Engine.Tests.Transfer;
using KvArchive.Engine.Transfer;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Vault;

[Trait("Category", "Unit")]
public sealed class VaultClientsTests
{
    [Fact]
    public void One_client_per_vault_created_on_first_use_and_disposed_once()
    {
        var made = new List<FakeVaultClient>();
        var created = new List<IVaultClient>();
        var clients = new VaultClients(uri =>
        {
            var client = new FakeVaultClient(uri.Host.Split('.')[0]);
            made.Add(client);
            return client;
        })
        { Created = created.Add };

        var a = clients.Get(new Uri("https://a.vault.localhost:8443/"));
        Assert.Same(a, clients.Get(new Uri("https://A.vault.localhost:8443")));
        clients.Get(new Uri("https://b.vault.localhost:8443/"));
        Assert.Equal(2, made.Count);
        Assert.Equal(made, created);
        Assert.Null(clients.Single);

        clients.Dispose();
        clients.Dispose();
        Assert.All(made, c => Assert.Equal(1, c.Disposed));
        Assert.Throws<ObjectDisposedException>(() => clients.Get(new Uri("https://a.vault.localhost:8443/")));
    }

    [Fact]
    public void A_borrowed_client_is_used_never_disposed_and_other_vaults_are_refused()
    {
        var fake = new FakeVaultClient("prod");
        using (var clients = VaultClients.Borrowing(fake))
        {
            Assert.Same(fake, clients.Single);
            Assert.Same(fake, clients.Get(fake.VaultUri));
            var e = Assert.Throws<KvException>(() => clients.Get(new Uri("https://other.vault.localhost:8443/")));
            Assert.Equal(KvErrorIds.InvalidVault, e.ErrorId);
        }

        Assert.Equal(0, fake.Disposed);
    }

    [Fact]
    public void A_session_borrows_the_command_clients_and_leaves_them_to_their_owner()
    {
        var folder = ArchiveTestData.NewFolder();
        try
        {
            var fake = new FakeVaultClient("prod");
            fake.Add(KvObjectType.Secret, "a");
            using var host = new RecordingHost();
            var limiter = new AdaptiveRateLimiter();
            using var clients = new VaultClients(_ => fake);
            using (var session = BackupSession.Start(host, new BackupOptions { Path = Path.Combine(folder, "a.kva"), RateLimiter = limiter }, clients))
            {
                session.AddVault(fake.VaultUri);
                Assert.Equal(1, session.Complete().Saved);
                Assert.Same(limiter, session.RateLimiter);
            }

            Assert.Equal(0, fake.Disposed);
            clients.Dispose();
            Assert.Equal(1, fake.Disposed);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
