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
            Assert.True(link is null || (link.Contains($":{_server.Port}/secrets?api-version=2026-04-01&$skiptoken=") && link.Contains("&maxresults=6")), link); // as the recordings show
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

    [Fact]
    public async Task Processes_starting_together_share_one_generated_certificate()
    {
        var tls = Path.Combine(Path.GetTempPath(), "lv-race-" + Guid.NewGuid().ToString("N"));
        var servers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => LocalVaultServer.StartAsync("--tls-dir", tls)));
        try
        {
            var file = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(tls, "localvault.crt.pem")));
            Assert.Contains("*.vault.localhost", file.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
            foreach (var server in servers)
            {
                string? presented = null;
                using var handler = new SocketsHttpHandler
                {
                    ConnectCallback = async (ctx, ct) =>
                    {
                        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, ctx.DnsEndPoint.Port), ct);
                        return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                    },
                    SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => (presented = cert?.GetCertHashString()) is not null },
                };
                using var http = new HttpClient(handler);
                using var health = await http.GetAsync($"https://prod.vault.localhost:{server.Port}/_localvault/health");
                Assert.Equal(HttpStatusCode.OK, health.StatusCode);
                Assert.Equal(file.Thumbprint, presented);
                Assert.Equal(Path.Combine(tls, "localvault.crt.pem"), server.CertificatePath);
            }
        }
        finally
        {
            await Task.WhenAll(servers.Select(s => s.DisposeAsync().AsTask()));
            Directory.Delete(tls, recursive: true);
        }
    }

    [Fact]
    public async Task Keys_show_only_public_material_and_restore_across_processes_of_the_same_geography()
    {
        var (token, _) = await _server.CreateTokenAsync();
        using var http = _server.CreateRawClient();
        async Task<(HttpStatusCode Status, JsonNode? Body)> Send(LocalVaultServer server, HttpMethod method, string vault, string path, string? body = null, string? bearer = null)
        {
            using var request = new HttpRequestMessage(method, new Uri(server.VaultUri(vault), path));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer ?? token);
            if (body is not null)
            {
                request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            }

            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
        }

        var rsa = await Send(_server, HttpMethod.Post, "smoke", $"keys/rsa1/create?{Api}", """{"kty":"RSA","key_size":3072}""");
        Assert.Equal(HttpStatusCode.OK, rsa.Status);
        Assert.Equal(384, System.Buffers.Text.Base64Url.DecodeFromChars(rsa.Body!["key"]!["n"]!.GetValue<string>()).Length);
        var ec = await Send(_server, HttpMethod.Post, "smoke", $"keys/ec1/create?{Api}", """{"kty":"EC","crv":"P-384"}""");
        Assert.Equal("P-384", ec.Body!["key"]!["crv"]!.GetValue<string>());
        foreach (var bundle in new[] { rsa.Body, ec.Body })
        {
            foreach (var secretPart in new[] { "d", "p", "q", "dp", "dq", "qi" })
            {
                Assert.Null(bundle!["key"]![secretPart]);
            }

            Assert.False(bundle!["attributes"]!["exportable"]!.GetValue<bool>());
            Assert.Equal("Recoverable+Purgeable", bundle["attributes"]!["recoveryLevel"]!.GetValue<string>());
        }

        var backup = await Send(_server, HttpMethod.Post, "smoke", $"keys/ec1/backup?{Api}");
        var blob = backup.Body!["value"]!.GetValue<string>();

        // Another process of the same geography restores the blob with the same kid; another geography refuses it.
        await using var same = await LocalVaultServer.StartAsync("--vault", "other");
        var (sameToken, _) = await same.CreateTokenAsync();
        var restored = await Send(same, HttpMethod.Post, "other", $"keys/restore?{Api}", $$"""{"value":"{{blob}}"}""", sameToken);
        Assert.Equal(HttpStatusCode.OK, restored.Status);
        Assert.Equal(ec.Body["key"]!["kid"]!.GetValue<string>().Split('/')[^1], restored.Body!["key"]!["kid"]!.GetValue<string>().Split('/')[^1]);
        Assert.Equal(ec.Body["key"]!["x"]!.GetValue<string>(), restored.Body["key"]!["x"]!.GetValue<string>());

        await same.CreateVaultAsync("elsewhere", new { geography = "far-away" });
        var refused = await Send(same, HttpMethod.Post, "elsewhere", $"keys/restore?{Api}", $$"""{"value":"{{blob}}"}""", sameToken);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("geography", refused.Body!["error"]!["message"]!.GetValue<string>());
        var corrupt = await Send(same, HttpMethod.Post, "other", $"keys/restore?{Api}", $$"""{"value":"{{blob[..^8]}}"}""", sameToken);
        Assert.Equal("Malformed backup blob", corrupt.Body!["error"]!["code"]!.GetValue<string>());
    }

    private SecretClient Secrets(string vault, Azure.Core.TokenCredential? credential = null)
        => new(_server.VaultUri(vault), credential ?? _server.CreateCredential(), new SecretClientOptions { Transport = _server.CreateTransport() });
}
