using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Azure;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using KvArchive.TestSupport;

namespace KvArchive.LocalVault.Tests;

/// <summary>
/// The server author's smoke tests: a real LocalVault process, the real SecretClient/CertificateClient over HTTPS,
/// and raw requests where the exact wire shape matters.
/// </summary>
public sealed class ServerSmokeTests : IAsyncLifetime
{
    private const string Api = "api-version=2026-04-01";
    private LocalVaultServer _server = null!;

    public async Task InitializeAsync() => _server = await LocalVaultServer.StartAsync("--vault", "smoke");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Secret_client_round_trip_set_get_list_versions_delete_recover()
    {
        var client = Secrets("smoke");
        var first = (await client.SetSecretAsync("alpha", "one")).Value;
        var second = (await client.SetSecretAsync(new KeyVaultSecret("alpha", "two") { Properties = { ContentType = "text/plain", Tags = { ["k"] = "v" } } })).Value;
        Assert.Matches("^[0-9a-f]{32}$", second.Properties.Version);
        Assert.Equal(_server.VaultUri("smoke"), second.Properties.VaultUri);

        Assert.Equal("two", (await client.GetSecretAsync("alpha")).Value.Value);
        Assert.Equal("one", (await client.GetSecretAsync("alpha", first.Properties.Version)).Value.Value);
        Assert.Equal("text/plain", (await client.GetSecretAsync("ALPHA")).Value.Properties.ContentType);

        var versions = await client.GetPropertiesOfSecretVersionsAsync("alpha").ToListAsync();
        Assert.Equal([second.Properties.Version, first.Properties.Version], versions.Select(v => v.Version));

        var delete = await client.StartDeleteSecretAsync("alpha");
        var deleted = await delete.WaitForCompletionAsync();
        Assert.Equal(new Uri(_server.VaultUri("smoke"), "deletedsecrets/alpha"), deleted.Value.RecoveryId);
        var notFound = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetSecretAsync("alpha"));
        Assert.Equal(404, notFound.Status);
        Assert.Equal("SecretNotFound", notFound.ErrorCode);

        var recover = await client.StartRecoverDeletedSecretAsync("alpha");
        await recover.WaitForCompletionAsync();
        Assert.Equal("two", (await client.GetSecretAsync("alpha")).Value.Value);
    }

    [Fact]
    public async Task Secret_backup_restore_brings_back_every_version_with_same_ids_and_times()
    {
        var client = Secrets("smoke");
        var v1 = (await client.SetSecretAsync("bk", "a")).Value;
        var v2 = (await client.SetSecretAsync("bk", "b")).Value;
        await client.UpdateSecretPropertiesAsync(new SecretProperties(v1.Id) { Enabled = false });
        var blob = (await client.BackupSecretAsync("bk")).Value;
        Assert.Equal(")AzureKeyVaultSecretBackupV1.microsoft.com", System.Text.Encoding.ASCII.GetString(blob, 0, 42));

        // Restoring over a live name is a conflict; after delete + purge it succeeds.
        var conflict = await Assert.ThrowsAsync<RequestFailedException>(() => client.RestoreSecretBackupAsync(blob));
        Assert.Equal(409, conflict.Status);
        Assert.Contains("already exists or concurrent access", conflict.Message);
        await (await client.StartDeleteSecretAsync("bk")).WaitForCompletionAsync();
        var softDeleted = await Assert.ThrowsAsync<RequestFailedException>(() => client.RestoreSecretBackupAsync(blob));
        Assert.Equal(409, softDeleted.Status);
        Assert.Contains("ObjectIsDeletedButRecoverable", softDeleted.Message);
        await client.PurgeDeletedSecretAsync("bk");

        var restored = (await client.RestoreSecretBackupAsync(blob)).Value;
        Assert.Equal(v2.Properties.Version, restored.Version);
        var versions = (await client.GetPropertiesOfSecretVersionsAsync("bk").ToListAsync()).ToDictionary(v => v.Version);
        Assert.Equal(2, versions.Count);
        Assert.False(versions[v1.Properties.Version].Enabled);
        Assert.Equal(v1.Properties.CreatedOn, versions[v1.Properties.Version].CreatedOn);
        Assert.Equal("b", (await client.GetSecretAsync("bk")).Value.Value);

        // A disabled version cannot be read; the service answers 403 SecretDisabled.
        var disabled = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetSecretAsync("bk", v1.Properties.Version));
        Assert.Equal(403, disabled.Status);
        Assert.Contains("SecretDisabled", disabled.Message);
    }

    [Fact]
    public async Task First_call_without_token_gets_the_exact_challenge()
    {
        using var http = _server.CreateRawClient();
        using var response = await http.PutAsync(new Uri(_server.VaultUri("smoke"), $"secrets/x?{Api}"), null);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.Matches("^Bearer authorization=\"https://login.microsoftonline.com/[0-9a-f-]+\", resource=\"https://vault.localhost\"$", challenge);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("""{"error":{"code":"Unauthorized","message":"AKV10000: Request is missing a Bearer or PoP token."}}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Permissions_limit_an_identity_and_tampered_tokens_are_refused()
    {
        await Secrets("smoke").SetSecretAsync("limited", "v");
        var readOnly = Secrets("smoke", _server.CreateCredential("reader", ["secrets/get"]));
        Assert.Equal("v", (await readOnly.GetSecretAsync("limited")).Value.Value);
        var forbidden = await Assert.ThrowsAsync<RequestFailedException>(() => readOnly.SetSecretAsync("limited", "w"));
        Assert.Equal(403, forbidden.Status);
        Assert.Contains("ForbiddenByRbac", forbidden.Message);

        var (token, _) = await _server.CreateTokenAsync();
        using var http = _server.CreateRawClient();
        foreach (var bad in new[] { token[..^2] + (token[^2] == 'A' ? "BB" : "AA"), "garbage", (await _server.CreateTokenAsync(lifetimeSeconds: -10)).Token })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.VaultUri("smoke"), $"secrets/limited?{Api}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bad);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.NotEmpty(response.Headers.WwwAuthenticate);
        }
    }

    [Fact]
    public async Task Ragged_pages_are_short_or_empty_with_next_links_and_the_sdk_reads_them_all()
    {
        await _server.CreateVaultAsync("ragged", new { pageShape = "ragged", throttling = false });
        await _server.SeedAsync("ragged", new { secrets = 23, prefix = "rg" });
        var (token, _) = await _server.CreateTokenAsync();
        using var http = _server.CreateRawClient();
        var sizes = new List<int>();
        var names = new List<string>();
        Uri? next = new(_server.VaultUri("ragged"), $"secrets?{Api}&maxresults=6");
        while (next is not null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, next);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request);
            var page = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            var items = page["value"]!.AsArray();
            sizes.Add(items.Count);
            names.AddRange(items.Select(i => i!["id"]!.GetValue<string>()));
            var link = page["nextLink"]?.GetValue<string>();
            Assert.True(link is null || (link.Contains($":{_server.Port}/secrets?api-version=2026-04-01&$skiptoken=") && !link.Contains("maxresults")), link);
            next = link is null ? null : new Uri(link);
        }

        Assert.Contains(0, sizes);
        Assert.Contains(sizes, s => s is > 0 and < 6);
        Assert.Equal(23, names.Distinct().Count());
        Assert.Equal(23, (await Secrets("ragged").GetPropertiesOfSecretsAsync().ToListAsync()).Count);
    }

    [Fact]
    public async Task Certificate_client_creates_self_signed_and_owns_a_managed_key_and_secret()
    {
        var client = new CertificateClient(_server.VaultUri("smoke"), _server.CreateCredential(), new CertificateClientOptions { Transport = _server.CreateTransport() });
        var operation = await client.StartCreateCertificateAsync("cert1", CertificatePolicy.Default);
        var certificate = (await operation.WaitForCompletionAsync()).Value;
        Assert.Equal("CN=DefaultPolicy", certificate.Policy.Subject);
        Assert.NotEmpty(certificate.Cer);
        using (var x509 = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(certificate.Cer))
        {
            Assert.Equal("CN=DefaultPolicy", x509.Subject);
        }

        var secret = (await Secrets("smoke").GetSecretAsync("cert1")).Value;
        Assert.True(secret.Properties.Managed);
        Assert.Equal("application/x-pkcs12", secret.Properties.ContentType);
        Assert.Equal(certificate.KeyId, secret.Properties.KeyId);

        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => Secrets("smoke").BackupSecretAsync("cert1"));
        Assert.Equal(403, refused.Status);
        Assert.Contains("since it is associated with a certificate", refused.Message);

        var blob = (await client.BackupCertificateAsync("cert1")).Value;
        await (await client.StartDeleteCertificateAsync("cert1")).WaitForCompletionAsync();
        await Assert.ThrowsAsync<RequestFailedException>(() => Secrets("smoke").GetSecretAsync("cert1"));
        await client.PurgeDeletedCertificateAsync("cert1");
        var restored = (await client.RestoreCertificateBackupAsync(blob)).Value;
        Assert.Equal(certificate.Properties.Version, restored.Properties.Version);
        Assert.Equal(secret.Value, (await Secrets("smoke").GetSecretAsync("cert1")).Value.Value);
    }

    private SecretClient Secrets(string vault, Azure.Core.TokenCredential? credential = null)
        => new(_server.VaultUri(vault), credential ?? _server.CreateCredential(), new SecretClientOptions { Transport = _server.CreateTransport() });
}
