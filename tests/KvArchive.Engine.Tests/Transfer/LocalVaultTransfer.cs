using KvArchive.Engine.Archive;
using KvArchive.Engine.Connection;
using KvArchive.Engine.Tests.Hosting;
using KvArchive.Engine.Tests.Vault.Infrastructure;
using KvArchive.Engine.Transfer;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Transfer;

/// <summary>Runs backups and restores against a real LocalVault the way a cmdlet does.</summary>
internal static class LocalVaultTransfer
{
    /// <summary>A client factory as a cmdlet builds it: a token (all permissions unless given), LocalVault's root, the session's observer.</summary>
    public static async Task<Func<Uri, IRequestObserver, IVaultClient>> FactoryAsync(VaultFixture fixture, int maxRetries = 3, IEnumerable<string>? permissions = null)
    {
        var (token, _) = await fixture.Server.CreateTokenAsync("transfer-tests", permissions);
        return (uri, observer) => fixture.Track(VaultClientFactory.Create(
            new VaultConnectionOptions
            {
                VaultUri = uri,
                CredentialKind = KvCredentialKind.AccessToken,
                AccessToken = VaultFixture.Secure(token),
                TrustedCertificatePath = fixture.Server.CertificatePath,
                MaxRetries = maxRetries,
                RetryDelay = TimeSpan.FromMilliseconds(50),
                MaxRetryDelay = TimeSpan.FromMilliseconds(800),
                NetworkTimeout = TimeSpan.FromSeconds(30),
            },
            observer));
    }

    /// <summary>Backs up whole vaults into an archive on a dedicated thread (as a pipeline thread would).</summary>
    public static Task<BackupSummary> BackupAsync(RecordingHost host, Func<Uri, IRequestObserver, IVaultClient> factory, string path, Uri vault, IEnumerable<KvObjectType> types, int throttle = 16)
        => OnOwnThread(() =>
        {
            using var session = BackupSession.Start(host, new BackupOptions { Path = path, Force = true, ThrottleLimit = throttle, VaultUri = vault }, factory);
            session.AddVault(types: types);
            return session.Complete();
        });

    /// <summary>Restores every entry of an archive on a dedicated thread.</summary>
    public static Task<RestoreSummary> RestoreAsync(RecordingHost host, Func<Uri, IRequestObserver, IVaultClient> factory, string path, RestoreOptions options)
        => OnOwnThread(() =>
        {
            using var session = RestoreSession.Start(host, options, factory);
            using var reader = ArchiveReader.Open(path);
            foreach (var item in reader.Items)
            {
                session.Add(item);
            }

            return session.Complete();
        });

    /// <summary>Runs blocking session code on a thread of its own, so no test synchronization context is blocked.</summary>
    public static Task<T> OnOwnThread<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        { IsBackground = true, Name = "pipeline" };
        thread.Start();
        return done.Task;
    }

    /// <summary>Every version of every object of a vault, as comparable rows (no ids of the vault itself).</summary>
    public static async Task<SortedDictionary<string, string>> SnapshotAsync(IVaultClient client, IEnumerable<KvObjectType> types)
    {
        var rows = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var type in types)
        {
            await foreach (var item in client.ListAsync(type, default))
            {
                await foreach (var v in client.ListVersionsAsync(type, item.Name, default))
                {
                    var tags = string.Join(",", v.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"));
                    rows[$"{type}/{v.Name}/{v.Version}"] =
                        $"enabled={v.Enabled} nbf={v.NotBefore?.ToUnixTimeSeconds()} exp={v.ExpiresOn?.ToUnixTimeSeconds()} created={v.CreatedOn?.ToUnixTimeSeconds()} updated={v.UpdatedOn?.ToUnixTimeSeconds()} ct={v.ContentType} managed={v.Managed} kty={v.KeyType} x5t={v.Thumbprint} tags={tags}";
                }
            }
        }

        return rows;
    }
}
