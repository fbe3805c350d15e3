using System.Net;
using System.Net.Sockets;
using KvArchive.Engine.Connection;
using KvArchive.Engine.Tests.Vault.Infrastructure;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Vault;

/// <summary>How vault failures reach callers: one exception type, stable ids, messages that name the object.</summary>
[Trait("Category", "LocalVault")]
public sealed class SecretErrorTests(VaultFixture fixture) : IClassFixture<VaultFixture>
{
    [Fact]
    public async Task Not_found_names_the_object_and_the_vault()
    {
        var vault = await fixture.NewVaultAsync();
        var client = await fixture.ConnectAsync(vault);

        var e = await Assert.ThrowsAsync<KvException>(() => client.GetAsync(KvObjectType.Secret, "nope", null, default));
        Assert.Equal(KvErrorKind.NotFound, e.Kind);
        Assert.Equal(KvErrorIds.ObjectNotFound, e.ErrorId);
        Assert.Equal(404, e.Status);
        Assert.Equal("SecretNotFound", e.ServiceCode);
        Assert.Equal(KvObjectType.Secret, e.ObjectType);
        Assert.Equal("nope", e.ObjectName);
        Assert.Equal($"Secret 'nope' was not found in vault '{vault}'.", e.Message);

        var deleted = await Assert.ThrowsAsync<KvException>(() => client.GetDeletedAsync(KvObjectType.Secret, "nope", default));
        Assert.Equal(KvErrorIds.ObjectNotFound, deleted.ErrorId);
        Assert.StartsWith("No deleted secret named 'nope'", deleted.Message, StringComparison.Ordinal);

        var backup = await Assert.ThrowsAsync<KvException>(() => client.BackupAsync(KvObjectType.Secret, "nope", default));
        Assert.Equal(KvErrorKind.NotFound, backup.Kind);
    }

    [Fact]
    public async Task A_vault_that_does_not_exist_is_an_invalid_vault()
    {
        var client = await fixture.ConnectAsync(VaultFixture.UniqueName("none"));
        var e = await Assert.ThrowsAsync<KvException>(() => client.GetAsync(KvObjectType.Secret, "x", null, default));
        Assert.Equal(KvErrorIds.InvalidVault, e.ErrorId);
        Assert.Equal(KvErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public async Task Forbidden_by_rbac_says_which_permission_is_missing()
    {
        var vault = await fixture.NewVaultAsync();
        var writer = await fixture.ConnectAsync(vault);
        await writer.SetSecretAsync("s", "v", new KvSecretSetOptions(), default);
        var lister = await fixture.ConnectAsync(vault, permissions: ["secrets/list"]);

        Assert.Single(await lister.ListAsync(KvObjectType.Secret, default).ToListAsync());
        var e = await Assert.ThrowsAsync<KvException>(() => lister.BackupAsync(KvObjectType.Secret, "s", default));
        Assert.Equal(KvErrorKind.PermissionDenied, e.Kind);
        Assert.Equal(KvErrorIds.PermissionDenied, e.ErrorId);
        Assert.Equal(403, e.Status);
        Assert.Equal("ForbiddenByRbac", e.InnerCode);
        Assert.StartsWith($"The signed-in identity lacks the permission 'secrets/backup' needed for backing up secret 's' in vault '{vault}'.", e.Message, StringComparison.Ordinal);
        Assert.Contains("Key Vault Secrets Officer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disabled_secret_value_says_it_is_disabled()
    {
        var vault = await fixture.NewVaultAsync();
        var client = await fixture.ConnectAsync(vault);
        await client.SetSecretAsync("off", "hidden-value", new KvSecretSetOptions { Enabled = false }, default);

        var e = await Assert.ThrowsAsync<KvException>(() => client.GetSecretAsync("off", null, default));
        Assert.Equal(KvErrorIds.SecretDisabled, e.ErrorId);
        Assert.Equal(KvErrorKind.PermissionDenied, e.Kind);
        // How to enable it is the module's RecommendedAction (tests/Pester/Messages.Tests.ps1).
        Assert.Equal($"Secret 'off' in vault '{vault}' is disabled, so its value cannot be read.", e.Message);
        Assert.DoesNotContain("hidden-value", e.ToString(), StringComparison.Ordinal);

        // Its properties, and its backup, still work.
        Assert.False((await client.GetAsync(KvObjectType.Secret, "off", null, default)).Enabled);
        Assert.NotEmpty(await client.BackupAsync(KvObjectType.Secret, "off", default));
        Assert.Equal(KvNameState.Exists, await client.GetNameStateAsync(KvObjectType.Secret, "off", default));
    }

    [Fact]
    public async Task Corrupt_and_foreign_backup_blobs_are_rejected_with_the_service_reason()
    {
        var vault = await fixture.NewVaultAsync();
        var client = await fixture.ConnectAsync(vault);

        var corrupt = await Assert.ThrowsAsync<KvException>(() => client.RestoreAsync(KvObjectType.Secret, new byte[] { 1, 2, 3, 4, 5 }, default));
        Assert.Equal(KvErrorIds.BackupRejected, corrupt.ErrorId);
        Assert.Equal(KvErrorKind.InvalidArgument, corrupt.Kind);
        Assert.Equal(400, corrupt.Status);
        Assert.Contains("Backup blob is corrupt.", corrupt.Message, StringComparison.Ordinal);
        Assert.Contains("same Azure subscription and geography", corrupt.Message, StringComparison.Ordinal);

        var foreignVault = await fixture.NewVaultAsync(new { geography = "othergeo" });
        var foreign = await fixture.ConnectAsync(foreignVault);
        await foreign.SetSecretAsync("far", "v", new KvSecretSetOptions(), default);
        var blob = await foreign.BackupAsync(KvObjectType.Secret, "far", default);
        var rejected = await Assert.ThrowsAsync<KvException>(() => client.RestoreAsync(KvObjectType.Secret, blob, default));
        Assert.Equal(KvErrorIds.BackupRejected, rejected.ErrorId);
        Assert.Equal(400, rejected.Status);

        var empty = await Assert.ThrowsAsync<KvException>(() => client.RestoreAsync(KvObjectType.Secret, ReadOnlyMemory<byte>.Empty, default));
        Assert.Equal(KvErrorIds.BackupRejected, empty.ErrorId);
    }

    [Fact]
    public async Task Throttling_that_outlasts_the_retries_is_throttled_and_the_observer_sees_every_429()
    {
        var vault = await fixture.NewVaultAsync();
        var observer = new RecordingObserver();
        var client = await fixture.ConnectAsync(vault, observer, maxRetries: 2);
        await client.SetSecretAsync("s", "v", new KvSecretSetOptions(), default);
        observer.Clear();
        await fixture.Server.SetFaultsAsync(vault, new { rules = new[] { new { method = "GET", pathRegex = "/secrets/s", status = 429, count = 50 } } });

        var e = await Assert.ThrowsAsync<KvException>(() => client.GetAsync(KvObjectType.Secret, "s", null, default));
        Assert.Equal(KvErrorKind.Throttled, e.Kind);
        Assert.Equal(KvErrorIds.Throttled, e.ErrorId);
        Assert.Equal(429, e.Status);
        Assert.Contains("2 retries", e.Message, StringComparison.Ordinal);
        Assert.Equal(new[] { 429, 429, 429 }, observer.Statuses);
    }

    [Fact]
    public async Task Transient_failures_are_retried_and_reported_to_the_observer()
    {
        var vault = await fixture.NewVaultAsync();
        var observer = new RecordingObserver();
        var client = await fixture.ConnectAsync(vault, observer, maxRetries: 4);
        await client.SetSecretAsync("s", "v", new KvSecretSetOptions(), default);
        observer.Clear();
        await fixture.Server.SetFaultsAsync(vault, new
        {
            rules = new object[]
            {
                new { method = "GET", pathRegex = "/secrets/s", status = 503, count = 1 },
                new { method = "GET", pathRegex = "/secrets/s", status = 429, count = 1 },
                new { method = "GET", pathRegex = "/secrets/s", status = 500, count = 1 },
            },
        });

        var got = await client.GetAsync(KvObjectType.Secret, "s", null, default);
        Assert.Equal("s", got.Name);
        Assert.Equal(4, observer.Statuses.Count);
        Assert.Equal(200, observer.Statuses[^1]);
        Assert.Equal(new[] { 429, 500, 503 }, observer.Statuses.Take(3).Order());
    }

    [Fact]
    public async Task A_lasting_server_error_is_retried_fewer_times_than_a_throttle()
    {
        var vault = await fixture.NewVaultAsync();
        var observer = new RecordingObserver();
        var client = await fixture.ConnectAsync(vault, observer, maxRetries: 8);
        await client.SetSecretAsync("s", "v", new KvSecretSetOptions(), default);
        observer.Clear();
        await fixture.Server.SetFaultsAsync(vault, new { rules = new[] { new { method = "GET", pathRegex = "/secrets/s", status = 503 } } });

        var e = await Assert.ThrowsAsync<KvException>(() => client.GetAsync(KvObjectType.Secret, "s", null, default));
        Assert.Equal(KvErrorIds.VaultUnreachable, e.ErrorId);
        Assert.Contains("503 through 4 retries", e.Message);
        Assert.Equal(Enumerable.Repeat(503, 1 + 4), observer.Statuses);

        observer.Clear();
        await fixture.Server.SetFaultsAsync(vault, new { rules = new[] { new { method = "GET", pathRegex = "/secrets/s", status = 429 } } });
        var throttled = await Assert.ThrowsAsync<KvException>(() => client.GetAsync(KvObjectType.Secret, "s", null, default));
        Assert.Equal(KvErrorIds.Throttled, throttled.ErrorId);
        Assert.Equal(1 + 8, observer.Statuses.Count);
    }

    [Fact]
    public async Task Dropped_connections_are_retried_and_reported_as_status_zero()
    {
        var vault = await fixture.NewVaultAsync();
        var observer = new RecordingObserver();
        var client = await fixture.ConnectAsync(vault, observer, maxRetries: 3);
        await client.SetSecretAsync("s", "v", new KvSecretSetOptions(), default);
        observer.Clear();
        await fixture.Server.SetFaultsAsync(vault, new { rules = new[] { new { method = "GET", pathRegex = "/secrets/s", status = 503, count = 1, drop = true } } });

        Assert.Equal("s", (await client.GetAsync(KvObjectType.Secret, "s", null, default)).Name);
        Assert.Equal(new[] { 0, 200 }, observer.Statuses);
    }

    [Fact]
    public async Task An_unreachable_vault_is_a_connection_failure()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var observer = new RecordingObserver();
        var options = await fixture.OptionsAsync("closed", maxRetries: 1);
        var client = fixture.Track(VaultClientFactory.Create(new VaultConnectionOptions
        {
            VaultUri = new Uri($"https://closed.vault.localhost:{port}/"),
            CredentialKind = KvCredentialKind.AccessToken,
            AccessToken = options.AccessToken,
            TrustedCertificatePath = options.TrustedCertificatePath,
            MaxRetries = 1,
            RetryDelay = TimeSpan.FromMilliseconds(10),
        }, observer));

        var e = await Assert.ThrowsAsync<KvException>(() => client.GetAsync(KvObjectType.Secret, "s", null, default));
        Assert.Equal(KvErrorKind.Connection, e.Kind);
        Assert.Equal(KvErrorIds.VaultUnreachable, e.ErrorId);
        Assert.StartsWith("Vault 'closed' at https://closed.vault.localhost:", e.Message, StringComparison.Ordinal);
        Assert.Equal(new[] { 0, 0 }, observer.Statuses);
    }

    [Fact]
    public async Task A_vault_that_never_answers_is_retried_a_few_times_not_for_minutes()
    {
        // Many retries are right for 429s and 5xx (the service answered); a request that got no answer at all is
        // retried only VaultRetryPolicy.DefaultTransportRetries times, whatever MaxRetries says.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = 0;
        using var stop = new CancellationTokenSource();
        var acceptLoop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var socket = await listener.AcceptSocketAsync(stop.Token);
                Interlocked.Increment(ref accepted);
                socket.Close(); // no TLS handshake, no answer
            }
        });

        var options = await fixture.OptionsAsync("silent", maxRetries: 8);
        var client = fixture.Track(VaultClientFactory.Create(new VaultConnectionOptions
        {
            VaultUri = new Uri($"https://silent.vault.localhost:{port}/"),
            CredentialKind = KvCredentialKind.AccessToken,
            AccessToken = options.AccessToken,
            TrustedCertificatePath = options.TrustedCertificatePath,
            MaxRetries = 8,
            RetryDelay = TimeSpan.FromMilliseconds(10),
        }));

        var e = await Assert.ThrowsAsync<KvException>(() => client.GetAsync(KvObjectType.Secret, "s", null, default));
        await stop.CancelAsync();
        Assert.Equal(KvErrorKind.Connection, e.Kind);
        Assert.Equal(1 + KvArchive.Engine.Connection.VaultRetryPolicy.DefaultTransportRetries, Volatile.Read(ref accepted));
    }

    [Fact]
    public async Task A_rejected_token_is_unauthenticated_with_the_next_step()
    {
        var vault = await fixture.NewVaultAsync();
        var options = await fixture.OptionsAsync(vault);
        var client = fixture.Track(VaultClientFactory.Create(new VaultConnectionOptions
        {
            VaultUri = options.VaultUri,
            CredentialKind = KvCredentialKind.AccessToken,
            AccessToken = VaultFixture.Secure("not-a-token"),
            TrustedCertificatePath = options.TrustedCertificatePath,
        }));

        var e = await Assert.ThrowsAsync<KvException>(() => client.GetAsync(KvObjectType.Secret, "s", null, default));
        Assert.Equal(KvErrorKind.Unauthenticated, e.Kind);
        Assert.Equal(KvErrorIds.Unauthenticated, e.ErrorId);
        Assert.Equal(401, e.Status);
        Assert.Equal(KvCredentialKind.AccessToken, e.CredentialKind);
        Assert.Contains("access token", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-token", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_loopback_vault_whose_certificate_is_not_the_trusted_root_fails_tls()
    {
        var vault = await fixture.NewVaultAsync();
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Not LocalVault", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var stranger = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var path = Path.Combine(Path.GetTempPath(), $"kvarchive-stranger-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(path, stranger.ExportCertificatePem());
        try
        {
            var options = await fixture.OptionsAsync(vault);
            var client = fixture.Track(VaultClientFactory.Create(new VaultConnectionOptions
            {
                VaultUri = options.VaultUri,
                CredentialKind = KvCredentialKind.AccessToken,
                AccessToken = options.AccessToken,
                TrustedCertificatePath = path,
                MaxRetries = 0,
            }));

            var e = await Assert.ThrowsAsync<KvException>(() => client.GetAsync(KvObjectType.Secret, "x", null, default));
            Assert.Equal(KvErrorKind.Connection, e.Kind);
            Assert.Equal(KvErrorIds.VaultUnreachable, e.ErrorId);
            Assert.Contains("is not trusted", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Cancellation_reaches_the_call()
    {
        var vault = await fixture.NewVaultAsync();
        var client = await fixture.ConnectAsync(vault);
        await fixture.Server.SetFaultsAsync(vault, new { rules = new[] { new { method = "GET", pathRegex = "/secrets", status = 200, count = 5, stallMs = 20000 } } });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        var started = DateTime.UtcNow;
        var e = await Assert.ThrowsAsync<KvException>(() => client.ListAsync(KvObjectType.Secret, cts.Token).ToListAsync().AsTask());
        Assert.Equal(KvErrorKind.Cancelled, e.Kind);
        Assert.Equal(KvErrorIds.Cancelled, e.ErrorId);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Invalid_names_never_reach_the_vault()
    {
        var vault = await fixture.NewVaultAsync();
        var observer = new RecordingObserver();
        var client = await fixture.ConnectAsync(vault, observer);
        var e = await Assert.ThrowsAsync<KvException>(() => client.GetAsync(KvObjectType.Secret, "bad/name", null, default));
        Assert.Equal(KvErrorKind.InvalidArgument, e.Kind);
        Assert.Empty(observer.Statuses);
    }
}
