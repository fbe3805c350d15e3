using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure;
using Azure.Security.KeyVault.Certificates;
using KvArchive.LocalVault.Tests.Infrastructure;

namespace KvArchive.LocalVault.Tests.Certificates;

/// <summary>
/// Certificate issuers (CRUD, in the shape of the JS SDK recording "can create, read, and delete a certificate issuer")
/// and the merge of a CSR-based certificate signed by an outside CA, through the real CertificateClient.
/// </summary>
public sealed class IssuerAndMergeTests(LocalVaultFixture fx) : IClassFixture<LocalVaultFixture>
{
    private const string Api = "?api-version=2026-04-01";

    [Fact]
    public async Task Issuers_are_created_read_updated_listed_and_deleted()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Certificates(vault);
        var issuer = new CertificateIssuer("digi", "Test") { AccountId = "keyvaultuser", Password = "do-not-echo", OrganizationId = "org-1" };
        issuer.AdministratorContacts.Add(new AdministratorContact { FirstName = "John", LastName = "Doe", Email = "admin@example.com", Phone = "4255555555" });
        var created = (await client.CreateIssuerAsync(issuer)).Value;
        Assert.Equal(new Uri(vault.Uri, "certificates/issuers/digi"), created.Id);
        Assert.Equal("Test", created.Provider);
        Assert.Equal("keyvaultuser", created.AccountId);
        Assert.Null(created.Password);
        Assert.Equal("org-1", created.OrganizationId);
        Assert.True(created.Enabled);
        Assert.Equal("Doe", Assert.Single(created.AdministratorContacts).LastName);
        Assert.NotNull(created.CreatedOn);

        var raw = await fx.SendAsync(HttpMethod.Get, vault, "certificates/issuers/digi" + Api);
        Assert.DoesNotContain("do-not-echo", raw.Text, StringComparison.Ordinal);
        Assert.Equal(0, raw.Json["org_details"]!["zip"]!.GetValue<int>());

        var updated = (await client.UpdateIssuerAsync(new CertificateIssuer("digi") { AccountId = "keyvaultuser2" })).Value;
        Assert.Equal("Test", updated.Provider);
        Assert.Equal("keyvaultuser2", updated.AccountId);
        Assert.Equal("Doe", Assert.Single(updated.AdministratorContacts).LastName);
        Assert.Equal(created.CreatedOn, updated.CreatedOn);
        Assert.Equal("keyvaultuser2", (await client.GetIssuerAsync("digi")).Value.AccountId);

        await client.CreateIssuerAsync(new CertificateIssuer("other", "Test"));
        var listed = await client.GetPropertiesOfIssuersAsync().ToListAsync();
        Assert.Equal(new[] { "digi", "other" }, listed.Select(i => i.Name).Order(StringComparer.Ordinal));
        Assert.All(listed, i => Assert.Equal("Test", i.Provider));

        var deleted = (await client.DeleteIssuerAsync("digi")).Value;
        Assert.Equal("keyvaultuser2", deleted.AccountId);
        var missing = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetIssuerAsync("digi"));
        Assert.Equal(404, missing.Status);
        Assert.Equal("CertificateIssuerNotFound", missing.ErrorCode);
        KvAssert.Error(await fx.SendAsync(HttpMethod.Get, vault, "certificates/issuers/digi" + Api), 404, "CertificateIssuerNotFound");
        Assert.Equal("Issuer not found", (await fx.SendAsync(HttpMethod.Delete, vault, "certificates/issuers/digi" + Api)).ErrorMessage);
        KvAssert.Error(await fx.SendAsync(HttpMethod.Patch, vault, "certificates/issuers/never" + Api, """{"provider":"Test"}"""), 404, "CertificateIssuerNotFound");
        KvAssert.Error(await fx.SendAsync(HttpMethod.Put, vault, "certificates/issuers/noprov" + Api, "{}"), 400, "BadParameter");
        KvAssert.Error(await fx.SendAsync(HttpMethod.Put, vault, "certificates/issuers/Self" + Api, """{"provider":"Test"}"""), 400, "BadParameter");

        var reader = (await fx.Server.CreateTokenAsync("issuer-reader", ["certificates/getissuers"])).Token;
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Get, vault, "certificates/issuers/other" + Api, token: reader)).StatusCode);
        KvAssert.Error(await fx.SendAsync(HttpMethod.Delete, vault, "certificates/issuers/other" + Api, token: reader), 403, "Forbidden", "ForbiddenByRbac");
    }

    [Fact]
    public async Task A_csr_signed_by_an_outside_ca_merges_into_a_complete_certificate_with_its_chain()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Certificates(vault);
        using var ca = new MergeTestAuthority();
        var policy = new CertificatePolicy(WellKnownIssuerNames.Unknown, "CN=merged.example") { KeyType = CertificateKeyType.Rsa, KeySize = 2048, ContentType = CertificateContentType.Pkcs12 };
        var operation = await client.StartCreateCertificateAsync("merged", policy);
        Assert.Equal("inProgress", operation.Properties.Status);
        Assert.False((await client.GetCertificateAsync("merged")).Value.Properties.Enabled);

        var signed = ca.Sign(operation.Properties.Csr);
        var wrong = await Assert.ThrowsAsync<RequestFailedException>(() => client.MergeCertificateAsync(new MergeCertificateOptions("merged", [ca.Certificate.RawData])));
        Assert.Equal(400, wrong.Status);

        var merged = (await client.MergeCertificateAsync(new MergeCertificateOptions("merged", [signed, ca.Certificate.RawData]))).Value;
        Assert.Equal(signed, merged.Cer);
        Assert.True(merged.Properties.Enabled);
        Assert.Equal(new Uri(vault.Uri, $"keys/merged/{merged.Properties.Version}"), merged.KeyId);
        Assert.Equal("Unknown", merged.Policy.IssuerName);

        await operation.UpdateStatusAsync();
        Assert.True(operation.HasCompleted);
        Assert.Equal("completed", (await client.GetCertificateOperationAsync("merged")).Properties.Status);

        using var leaf = X509CertificateLoader.LoadCertificate(merged.Cer);
        Assert.Equal("CN=LocalVault Test CA", leaf.Issuer);
        Assert.Equal(leaf.NotAfter.ToUniversalTime(), merged.Properties.ExpiresOn!.Value.UtcDateTime, TimeSpan.FromSeconds(1));

        // The managed secret is the PFX with the private key and the chain; the chain validates to the outside CA.
        var secret = (await fx.Secrets(vault).GetSecretAsync("merged")).Value;
        Assert.Equal("application/x-pkcs12", secret.Properties.ContentType);
        var pfx = X509CertificateLoader.LoadPkcs12Collection(Convert.FromBase64String(secret.Value), null, X509KeyStorageFlags.EphemeralKeySet);
        Assert.Equal(2, pfx.Count);
        var withKey = Assert.Single(pfx, c => c.HasPrivateKey);
        Assert.Equal(leaf.Thumbprint, withKey.Thumbprint);
        Assert.Contains(pfx, c => c.Thumbprint == ca.Certificate.Thumbprint);
        using (var privateKey = withKey.GetRSAPrivateKey()!)
        using (var publicKey = leaf.GetRSAPublicKey()!)
        {
            byte[] data = [1, 2, 3];
            var signature = privateKey.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            Assert.True(publicKey.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca.Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(leaf), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));

        // The vault's key is the CSR's: it signs what the certificate's public key verifies.
        var digest = SHA256.HashData("merged"u8.ToArray());
        var sign = await fx.SendAsync(HttpMethod.Post, vault, "keys/merged/sign" + Api, $$"""{"alg":"RS256","value":"{{Base64Url.Encode(digest)}}"}""");
        using (var publicKey = leaf.GetRSAPublicKey()!)
        {
            Assert.True(publicKey.VerifyHash(digest, Base64Url.Decode(sign.Json["value"]!.GetValue<string>()), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }

        // Nothing is left to merge now; a self-signed create never waits for one.
        var again = await Assert.ThrowsAsync<RequestFailedException>(() => client.MergeCertificateAsync(new MergeCertificateOptions("merged", [signed])));
        Assert.Equal(400, again.Status);
        await (await client.StartCreateCertificateAsync("self", CertificatePolicy.Default)).WaitForCompletionAsync(TimeSpan.FromMilliseconds(100), default);
        Assert.Equal(400, (await Assert.ThrowsAsync<RequestFailedException>(() => client.MergeCertificateAsync(new MergeCertificateOptions("self", [signed])))).Status);
        Assert.Equal(404, (await Assert.ThrowsAsync<RequestFailedException>(() => client.MergeCertificateAsync(new MergeCertificateOptions("nothing", [signed])))).Status);
    }

    [Fact]
    public async Task An_ec_csr_merges_too_and_pem_policies_get_a_pem_secret_with_the_chain()
    {
        var vault = await fx.NewVaultAsync();
        var client = fx.Certificates(vault);
        using var ca = new MergeTestAuthority();
        var policy = new CertificatePolicy(WellKnownIssuerNames.Unknown, "CN=ec-merged.example") { KeyType = CertificateKeyType.Ec, KeyCurveName = CertificateKeyCurveName.P384, ContentType = CertificateContentType.Pem };
        var operation = await client.StartCreateCertificateAsync("ecmerged", policy);
        var merged = (await client.MergeCertificateAsync(new MergeCertificateOptions("ecmerged", [ca.Sign(operation.Properties.Csr), ca.Certificate.RawData]))).Value;
        using var leaf = X509CertificateLoader.LoadCertificate(merged.Cer);
        Assert.NotNull(leaf.GetECDsaPublicKey());
        var secret = (await fx.Secrets(vault).GetSecretAsync("ecmerged")).Value;
        Assert.Equal("application/x-pem-file", secret.Properties.ContentType);
        Assert.Equal(2, secret.Value.Split("-----BEGIN CERTIFICATE-----").Length - 1);
        Assert.Contains("-----BEGIN PRIVATE KEY-----", secret.Value, StringComparison.Ordinal);
    }
}
