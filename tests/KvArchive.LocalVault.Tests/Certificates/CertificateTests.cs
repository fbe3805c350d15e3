using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Azure;
using Azure.Security.KeyVault.Certificates;
using KvArchive.LocalVault.Tests.Infrastructure;

namespace KvArchive.LocalVault.Tests.Certificates;

/// <summary>Certificates through the real CertificateClient 4.10 over HTTPS, and their managed key and secret.</summary>
public sealed class CertificateTests(LocalVaultFixture fx) : IClassFixture<LocalVaultFixture>
{
    private const string Api = "?api-version=2026-04-01";
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task Create_self_signed_goes_through_the_pending_operation()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Certificates(vault);
        var policy = new CertificatePolicy("Self", "CN=created.example") { ContentType = CertificateContentType.Pkcs12, KeyType = CertificateKeyType.Rsa, KeySize = 2048, ValidityInMonths = 12 };

        var op = await client.StartCreateCertificateAsync("created", policy);
        Assert.Equal(new Uri(vault.Uri, "certificates/created/pending"), op.Properties.Id);
        Assert.Contains(op.Properties.Status, new[] { "inProgress", "completed" });
        Assert.NotNull(op.Properties.Csr);
        Assert.NotEmpty(op.Properties.Csr);

        var cert = (await op.WaitForCompletionAsync(Poll, default)).Value;
        Assert.True(op.HasCompleted);
        Assert.Equal("completed", (await client.GetCertificateOperationAsync("created")).Properties.Status);
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(vault.Uri.ToString())}certificates/created/[0-9a-f]{{32}}$", cert.Id.ToString());
        var version = cert.Properties.Version;
        Assert.Equal(new Uri(vault.Uri, $"keys/created/{version}"), cert.KeyId);
        Assert.Equal(new Uri(vault.Uri, $"secrets/created/{version}"), cert.SecretId);
        using var x509 = X509CertificateLoader.LoadCertificate(cert.Cer);
        Assert.Equal("CN=created.example", x509.Subject);
        Assert.Equal(x509.GetCertHash(), cert.Properties.X509Thumbprint);
        Assert.Equal(x509.NotAfter.ToUniversalTime(), cert.Properties.ExpiresOn!.Value.UtcDateTime, TimeSpan.FromSeconds(1));
        Assert.InRange(x509.NotAfter, DateTime.UtcNow.AddMonths(11), DateTime.UtcNow.AddMonths(13));
        Assert.Equal("CN=created.example", cert.Policy.Subject);
        Assert.Equal(2048, cert.Policy.KeySize);

        // Raw: the create answer is 202 with the operation; the pending resource is reachable.
        var raw = await fx.SendAsync(HttpMethod.Post, vault, "certificates/raw/create" + Api, """{"policy":{"issuer":{"name":"Self"},"x509_props":{"subject":"CN=raw"},"key_props":{"kty":"RSA","key_size":2048},"secret_props":{"contentType":"application/x-pkcs12"}}}""");
        Assert.True(raw.StatusCode == 202, raw.ToString());
        Assert.Equal(new Uri(vault.Uri, "certificates/raw/pending").ToString(), raw.Json["id"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(raw.Json["csr"]?.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(raw.Json["status"]?.GetValue<string>()));
        var pending = await fx.SendAsync(HttpMethod.Get, vault, "certificates/raw/pending" + Api);
        Assert.True(pending.StatusCode == 200, pending.ToString());
        Assert.Equal("raw", (await client.GetCertificateAsync("raw")).Value.Name);
    }

    [Fact]
    public async Task Slow_issuance_is_in_progress_until_it_completes()
    {
        var vault = await fx.NewVaultAsync(new { certificateDelayMs = 1500 });
        var client = fx.Certificates(vault);
        var op = await client.StartCreateCertificateAsync("slow", CertificatePolicy.Default);
        Assert.Equal("inProgress", op.Properties.Status);
        Assert.False(op.HasCompleted);

        var pending = await fx.SendAsync(HttpMethod.Get, vault, "certificates/slow/pending" + Api);
        Assert.Equal("inProgress", pending.Json["status"]!.GetValue<string>());
        Assert.Null(pending.Json["target"]);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var cert = (await op.WaitForCompletionAsync(Poll, default)).Value;
        Assert.True(watch.ElapsedMilliseconds >= 800, $"completed after {watch.ElapsedMilliseconds} ms");
        Assert.Equal("slow", cert.Name);
        var done = await fx.SendAsync(HttpMethod.Get, vault, "certificates/slow/pending" + Api);
        Assert.Equal("completed", done.Json["status"]!.GetValue<string>());
        Assert.Equal(new Uri(vault.Uri, "certificates/slow").ToString(), done.Json["target"]!.GetValue<string>());
    }

    [Fact]
    public async Task Managed_key_and_secret_are_visible_and_cannot_be_backed_up_alone()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Certificates(vault);
        var cert = (await (await client.StartCreateCertificateAsync("managed", CertificatePolicy.Default)).WaitForCompletionAsync(Poll, default)).Value;

        var secrets = fx.Secrets(vault);
        var secret = (await secrets.GetSecretAsync("managed")).Value;
        Assert.True(secret.Properties.Managed);
        Assert.Equal("application/x-pkcs12", secret.Properties.ContentType);
        Assert.Equal(cert.KeyId, secret.Properties.KeyId);
        Assert.Equal(cert.SecretId, secret.Id);
        using (var pfx = X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(secret.Value), null, X509KeyStorageFlags.EphemeralKeySet))
        {
            Assert.True(pfx.HasPrivateKey);
            Assert.Equal(cert.Properties.X509Thumbprint, pfx.GetCertHash());
        }

        var listedSecret = Assert.Single(await secrets.GetPropertiesOfSecretsAsync().ToListAsync());
        Assert.True(listedSecret.Managed);
        Assert.Equal("managed", listedSecret.Name);

        var keys = await fx.SendAsync(HttpMethod.Get, vault, "keys" + Api);
        var keyItem = Assert.Single(keys.Json["value"]!.AsArray());
        Assert.Equal(new Uri(vault.Uri, "keys/managed").ToString(), keyItem!["kid"]!.GetValue<string>());
        Assert.True(keyItem["managed"]!.GetValue<bool>());
        var key = await fx.SendAsync(HttpMethod.Get, vault, "keys/managed" + Api);
        Assert.Equal(cert.KeyId.ToString(), key.Json["key"]!["kid"]!.GetValue<string>());
        Assert.True(key.Json["managed"]!.GetValue<bool>());

        foreach (var kind in new[] { "secrets", "keys" })
        {
            var backup = await fx.SendAsync(HttpMethod.Post, vault, $"{kind}/managed/backup" + Api);
            KvAssert.Error(backup, 403, messageContains: "associated with a certificate");
        }

        var sdk = await Assert.ThrowsAsync<RequestFailedException>(() => secrets.BackupSecretAsync("managed"));
        Assert.Equal(403, sdk.Status);
    }

    [Fact]
    public async Task Managed_key_and_secret_refuse_changes_of_their_own_and_follow_the_certificate()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Certificates(vault);
        var cert = (await (await client.StartCreateCertificateAsync("owner", CertificatePolicy.Default)).WaitForCompletionAsync(Poll, default)).Value;
        var version = cert.Properties.Version;

        foreach (var (method, path, body) in new (string, string, string?)[]
        {
            ("PUT", "secrets/owner", "{\"value\":\"hijack\"}"),
            ("PATCH", $"secrets/owner/{version}", "{\"contentType\":\"x\"}"),
            ("DELETE", "secrets/owner", null),
            ("PATCH", $"keys/owner/{version}", "{\"tags\":{\"a\":\"b\"}}"),
            ("DELETE", "keys/owner", null),
        })
        {
            var r = await fx.SendAsync(new HttpMethod(method), vault, path + Api, body);
            KvAssert.Error(r, 403, "Forbidden", messageContains: "associated with a certificate");
        }

        Assert.Equal(cert.SecretId, (await fx.Secrets(vault).GetSecretAsync("owner")).Value.Id);
        Assert.Single(await fx.Secrets(vault).GetPropertiesOfSecretVersionsAsync("owner").ToListAsync());

        // Disabling the certificate disables its secret: reading the PFX is then refused.
        var props = cert.Properties;
        props.Enabled = false;
        await client.UpdateCertificatePropertiesAsync(props);
        KvAssert.Error(await fx.SendAsync(HttpMethod.Get, vault, "secrets/owner" + Api), 403, "Forbidden", "SecretDisabled");
        var key = await fx.SendAsync(HttpMethod.Get, vault, "keys/owner" + Api);
        Assert.False(key.Json["attributes"]!["enabled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Out_content_type_converts_the_certificate_secret()
    {
        var vault = await fx.NewVaultAsync();
        var cert = (await (await fx.Certificates(vault).StartCreateCertificateAsync("conv", CertificatePolicy.Default)).WaitForCompletionAsync(Poll, default)).Value;
        var pem = (await fx.Secrets(vault).GetSecretAsync("conv", null, Azure.Security.KeyVault.Secrets.SecretContentType.Pem)).Value;
        Assert.Equal("application/x-pem-file", pem.Properties.ContentType);
        Assert.Contains("-----BEGIN CERTIFICATE-----", pem.Value);
        using (var fromPem = X509Certificate2.CreateFromPem(pem.Value, pem.Value))
        {
            Assert.True(fromPem.HasPrivateKey);
            Assert.Equal(cert.Properties.X509Thumbprint, fromPem.GetCertHash());
        }

        var raw = await fx.SendAsync(HttpMethod.Get, vault, "secrets/conv?api-version=2026-04-01&outContentType=application/x-pkcs12");
        Assert.Equal("application/x-pkcs12", raw.Json["contentType"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_certificate_cannot_take_the_name_of_an_unmanaged_secret()
    {
        var vault = await fx.NewVaultAsync();
        await fx.Secrets(vault).SetSecretAsync("taken", "plain");
        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => fx.Certificates(vault).StartCreateCertificateAsync("taken", CertificatePolicy.Default));
        Assert.Equal(409, ex.Status);
        Assert.Equal("Conflict", ex.ErrorCode);
        Assert.Equal("plain", (await fx.Secrets(vault).GetSecretAsync("taken")).Value.Value);
        Assert.Empty(await fx.Certificates(vault).GetPropertiesOfCertificatesAsync().ToListAsync());
    }

    [Fact]
    public async Task Import_pfx_with_password()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Certificates(vault);
        using var original = MakeCertificate("CN=imported-pfx");
        var pfx = original.Export(X509ContentType.Pkcs12, "p@ss");
        var options = new ImportCertificateOptions("pfx", pfx) { Password = "p@ss", Policy = new CertificatePolicy { ContentType = CertificateContentType.Pkcs12 } };
        options.Tags["src"] = "pfx";
        var imported = (await client.ImportCertificateAsync(options)).Value;
        Assert.Equal(original.RawData, imported.Cer);
        Assert.Equal(original.GetCertHash(), imported.Properties.X509Thumbprint);
        Assert.Equal("pfx", imported.Properties.Tags["src"]);
        Assert.Equal(CertificateContentType.Pkcs12, imported.Policy.ContentType);
        Assert.Equal("CN=imported-pfx", imported.Policy.Subject);

        var secret = (await fx.Secrets(vault).GetSecretAsync("pfx")).Value;
        Assert.Equal("application/x-pkcs12", secret.Properties.ContentType);
        using var back = X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(secret.Value), null, X509KeyStorageFlags.EphemeralKeySet);
        Assert.True(back.HasPrivateKey);
        Assert.Equal(original.GetCertHash(), back.GetCertHash());

        var wrongPassword = new ImportCertificateOptions("pfx2", pfx) { Password = "nope" };
        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => client.ImportCertificateAsync(wrongPassword));
        Assert.Equal(400, ex.Status);
        var garbage = new ImportCertificateOptions("pfx3", Encoding.UTF8.GetBytes("not a certificate"));
        Assert.Equal(400, (await Assert.ThrowsAsync<RequestFailedException>(() => client.ImportCertificateAsync(garbage))).Status);
        Assert.Single(await client.GetPropertiesOfCertificatesAsync().ToListAsync());
    }

    [Fact]
    public async Task Import_pem_keeps_pem_as_the_secret_value()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Certificates(vault);
        using var original = MakeCertificate("CN=imported-pem");
        var pem = original.ExportCertificatePem() + "\n" + original.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n";
        var options = new ImportCertificateOptions("pem", Encoding.ASCII.GetBytes(pem)) { Policy = new CertificatePolicy { ContentType = CertificateContentType.Pem } };
        var imported = (await client.ImportCertificateAsync(options)).Value;
        Assert.Equal(original.RawData, imported.Cer);
        Assert.Equal(CertificateContentType.Pem, imported.Policy.ContentType);

        var secret = (await fx.Secrets(vault).GetSecretAsync("pem")).Value;
        Assert.Equal("application/x-pem-file", secret.Properties.ContentType);
        Assert.True(secret.Properties.Managed);
        Assert.Contains("-----BEGIN CERTIFICATE-----", secret.Value);
        Assert.Contains("PRIVATE KEY-----", secret.Value);
        using var back = X509Certificate2.CreateFromPem(secret.Value, secret.Value);
        Assert.True(back.HasPrivateKey);
        Assert.Equal(original.GetCertHash(), back.GetCertHash());
    }

    [Fact]
    public async Task Get_update_list_versions_and_policy()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Certificates(vault);
        var v1 = (await (await client.StartCreateCertificateAsync("multi", CertificatePolicy.Default)).WaitForCompletionAsync(Poll, default)).Value;
        var v2 = (await (await client.StartCreateCertificateAsync("multi", CertificatePolicy.Default)).WaitForCompletionAsync(Poll, default)).Value;
        await (await client.StartCreateCertificateAsync("single", CertificatePolicy.Default)).WaitForCompletionAsync(Poll, default);
        Assert.NotEqual(v1.Properties.Version, v2.Properties.Version);

        Assert.Equal(v2.Id, (await client.GetCertificateAsync("multi")).Value.Id);
        var byVersion = (await client.GetCertificateVersionAsync("multi", v1.Properties.Version)).Value;
        Assert.Equal(v1.Id, byVersion.Id);
        Assert.Equal(v1.Cer, byVersion.Cer);

        var props = v1.Properties;
        props.Tags["stage"] = "old";
        props.Enabled = false;
        var updated = (await client.UpdateCertificatePropertiesAsync(props)).Value;
        Assert.Equal("old", updated.Properties.Tags["stage"]);
        Assert.False(updated.Properties.Enabled);
        Assert.Equal(v1.Id, updated.Id);

        var list = await client.GetPropertiesOfCertificatesAsync().ToListAsync();
        Assert.Equal(new[] { "multi", "single" }, list.Select(c => c.Name).Order());
        Assert.All(list, c => Assert.Null(c.Version));
        var rawList = await fx.SendAsync(HttpMethod.Get, vault, "certificates" + Api);
        Assert.All(rawList.Json["value"]!.AsArray(), i => Assert.DoesNotMatch("/[0-9a-f]{32}$", i!["id"]!.GetValue<string>()));
        Assert.All(rawList.Json["value"]!.AsArray(), i => Assert.False(string.IsNullOrEmpty(i!["x5t"]?.GetValue<string>())));

        var versions = await client.GetPropertiesOfCertificateVersionsAsync("multi").ToListAsync();
        Assert.Equal(new[] { v1.Properties.Version, v2.Properties.Version }.Order(), versions.Select(v => v.Version).Order());
        Assert.Empty(await client.GetPropertiesOfCertificateVersionsAsync("nothing").ToListAsync());

        var policy = (await client.GetCertificatePolicyAsync("multi")).Value;
        Assert.Equal(CertificatePolicy.Default.Subject, policy.Subject);
        policy.ValidityInMonths = 6;
        policy.Exportable = true;
        var newPolicy = (await client.UpdateCertificatePolicyAsync("multi", policy)).Value;
        Assert.Equal(6, newPolicy.ValidityInMonths);
        Assert.Equal(6, (await client.GetCertificatePolicyAsync("multi")).Value.ValidityInMonths);
        var rawPolicy = await fx.SendAsync(HttpMethod.Get, vault, "certificates/multi/policy" + Api);
        Assert.Equal(new Uri(vault.Uri, "certificates/multi/policy").ToString(), rawPolicy.Json["id"]!.GetValue<string>());

        var missing = await fx.SendAsync(HttpMethod.Get, vault, "certificates/nothing" + Api);
        KvAssert.Error(missing, 404, "CertificateNotFound");
    }

    [Fact]
    public async Task Delete_recover_purge_takes_key_and_secret_along()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Certificates(vault);
        var cert = (await (await client.StartCreateCertificateAsync("del", CertificatePolicy.Default)).WaitForCompletionAsync(Poll, default)).Value;

        var deleted = (await (await client.StartDeleteCertificateAsync("del")).WaitForCompletionAsync(Poll, default)).Value;
        Assert.Equal(new Uri(vault.Uri, "deletedcertificates/del"), deleted.RecoveryId);
        Assert.Equal(deleted.DeletedOn!.Value.AddDays(90), deleted.ScheduledPurgeDate);
        Assert.Equal(cert.Id, deleted.Id);

        KvAssert.Error(await fx.SendAsync(HttpMethod.Get, vault, "certificates/del" + Api), 404, "CertificateNotFound");
        KvAssert.Error(await fx.SendAsync(HttpMethod.Get, vault, "secrets/del" + Api), 404, "SecretNotFound");
        KvAssert.Error(await fx.SendAsync(HttpMethod.Get, vault, "keys/del" + Api), 404, "KeyNotFound");
        Assert.Equal("del", Assert.Single(await client.GetDeletedCertificatesAsync().ToListAsync()).Name);
        Assert.Equal(deleted.RecoveryId, (await client.GetDeletedCertificateAsync("del")).Value.RecoveryId);

        var recovered = (await (await client.StartRecoverDeletedCertificateAsync("del")).WaitForCompletionAsync(Poll, default)).Value;
        Assert.Equal(cert.Id, recovered.Id);
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Get, vault, "secrets/del" + Api)).StatusCode);
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Get, vault, "keys/del" + Api)).StatusCode);

        await (await client.StartDeleteCertificateAsync("del")).WaitForCompletionAsync(Poll, default);
        Assert.Equal(204, (await client.PurgeDeletedCertificateAsync("del")).Status);
        KvAssert.Error(await fx.SendAsync(HttpMethod.Get, vault, "deletedcertificates/del" + Api), 404, "CertificateNotFound");
        await (await client.StartCreateCertificateAsync("del", CertificatePolicy.Default)).WaitForCompletionAsync(Poll, default);
        Assert.Single(await client.GetPropertiesOfCertificateVersionsAsync("del").ToListAsync());
    }

    [Fact]
    public async Task Backup_uses_the_key_frame_and_restore_brings_key_and_secret_back()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Certificates(vault);
        var v1 = (await (await client.StartCreateCertificateAsync("bk", CertificatePolicy.Default)).WaitForCompletionAsync(Poll, default)).Value;
        var v2 = (await (await client.StartCreateCertificateAsync("bk", CertificatePolicy.Default)).WaitForCompletionAsync(Poll, default)).Value;
        var secretBefore = (await fx.Secrets(vault).GetSecretAsync("bk")).Value.Value;

        var blob = (await client.BackupCertificateAsync("bk")).Value;
        const string Tag = "AzureKeyVaultKeyBackupV1.microsoft.com";
        Assert.Equal(Tag.Length, blob[0]);
        Assert.Equal(Tag, Encoding.ASCII.GetString(blob, 1, Tag.Length));

        var existing = await Assert.ThrowsAsync<RequestFailedException>(() => client.RestoreCertificateBackupAsync(blob));
        Assert.Equal(409, existing.Status);

        await (await client.StartDeleteCertificateAsync("bk")).WaitForCompletionAsync(Poll, default);
        await client.PurgeDeletedCertificateAsync("bk");
        var restored = (await client.RestoreCertificateBackupAsync(blob)).Value;
        Assert.Equal(v2.Id, restored.Id);
        Assert.Equal(v2.Cer, restored.Cer);
        var versions = await client.GetPropertiesOfCertificateVersionsAsync("bk").ToListAsync();
        Assert.Equal(new[] { v1.Properties.Version, v2.Properties.Version }.Order(), versions.Select(v => v.Version).Order());
        Assert.Equal(v1.Properties.CreatedOn, versions.Single(v => v.Version == v1.Properties.Version).CreatedOn);
        Assert.Equal(secretBefore, (await fx.Secrets(vault).GetSecretAsync("bk")).Value.Value);
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Get, vault, $"keys/bk/{v2.Properties.Version}" + Api)).StatusCode);

        // A certificate blob is not a secret blob.
        var other = await fx.NewVaultAsync();
        var wrongKind = await fx.SendAsync(HttpMethod.Post, other, "secrets/restore" + Api, $$"""{"value":"{{Base64Url.Encode(blob)}}"}""");
        KvAssert.Error(wrongKind, 400);
    }

    [Fact]
    public async Task Not_found_messages_use_the_service_wording()
    {
        var vault = await fx.NewVaultAsync();
        var r = await fx.SendAsync(HttpMethod.Delete, vault, "certificates/DeleteWrongCertificate" + Api);
        KvAssert.Error(r, 404, "CertificateNotFound");
        Assert.Equal("A certificate with (name/id) DeleteWrongCertificate was not found in this key vault. If you recently deleted this certificate you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182", r.ErrorMessage);
        var d = await fx.SendAsync(HttpMethod.Get, vault, "deletedcertificates/Gone" + Api);
        KvAssert.Error(d, 404, "CertificateNotFound");
        Assert.Equal("Deleted Certificate not found: Gone", d.ErrorMessage);
    }

    private static X509Certificate2 MakeCertificate(string subject)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable | X509KeyStorageFlags.EphemeralKeySet);
    }
}
