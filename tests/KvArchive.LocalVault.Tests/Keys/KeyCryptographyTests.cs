using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using KvArchive.LocalVault.Tests.Infrastructure;

namespace KvArchive.LocalVault.Tests.Keys;

/// <summary>
/// The six key operations over raw HTTPS, each result checked with .NET's own cryptography: what the vault signs
/// verifies with the public key, what the vault encrypts decrypts with a private key the test holds (an imported
/// key), and the other way round. Then the service's refusals.
/// </summary>
public sealed class KeyCryptographyTests(LocalVaultFixture fx) : IClassFixture<LocalVaultFixture>
{
    private const string Api = "?api-version=2026-04-01";
    private static readonly byte[] Data = Encoding.UTF8.GetBytes("LocalVault signs this");

    public static TheoryData<string> RsaSignatures => new() { "RS256", "RS384", "RS512", "PS256", "PS384", "PS512" };

    public static TheoryData<string, string> EcSignatures => new() { { "ES256", "P-256" }, { "ES384", "P-384" }, { "ES512", "P-521" }, { "ES256K", "P-256K" } };

    [Theory]
    [MemberData(nameof(RsaSignatures))]
    public async Task Rsa_signature_verifies_with_the_public_key_and_the_vault_verifies_ours(string alg)
    {
        var vault = await fx.NewVaultAsync(new { throttling = false });
        using var rsa = RSA.Create(2048);
        var kid = await ImportAsync(vault, "rsa", Jwk(rsa));
        var (hash, digest) = Digest(alg);
        var padding = alg[0] == 'P' ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;

        var signed = await PostAsync(vault, "keys/rsa/sign", new { alg, value = B64(digest) });
        Assert.Equal(kid, signed["kid"]!.GetValue<string>());
        var signature = Bytes(signed["value"]);
        Assert.Equal(256, signature.Length);
        Assert.True(rsa.VerifyData(Data, signature, hash, padding), $"{alg}: the vault's signature does not verify with the public key");

        var ours = rsa.SignData(Data, hash, padding);
        Assert.True((await PostAsync(vault, $"keys/rsa/{Version(kid)}/verify", new { alg, digest = B64(digest), value = B64(ours) }))["value"]!.GetValue<bool>());
        ours[^1] ^= 1;
        Assert.False((await PostAsync(vault, "keys/rsa/verify", new { alg, digest = B64(digest), value = B64(ours) }))["value"]!.GetValue<bool>());
    }

    [Theory]
    [MemberData(nameof(EcSignatures))]
    public async Task Ec_signature_is_ieee_p1363_and_verifies_with_the_public_key(string alg, string curve)
    {
        var vault = await fx.NewVaultAsync(new { throttling = false });
        var created = await fx.SendAsync(HttpMethod.Post, vault, "keys/ec/create" + Api, $$"""{"kty":"EC","crv":"{{curve}}"}""");
        Assert.True(created.StatusCode == 200, created.ToString());
        var jwk = created.Json["key"]!;
        using var ec = ECDsa.Create(new ECParameters
        {
            Curve = curve == "P-256K" ? ECCurve.CreateFromFriendlyName("secP256k1") : ECCurve.CreateFromFriendlyName(curve switch { "P-256" => "nistP256", "P-384" => "nistP384", _ => "nistP521" }),
            Q = new ECPoint { X = Bytes(jwk["x"]), Y = Bytes(jwk["y"]) },
        });
        var (hash, digest) = Digest(alg);

        var signature = Bytes((await PostAsync(vault, "keys/ec/sign", new { alg, value = B64(digest) }))["value"]);
        Assert.Equal(2 * ec.KeySize / 8 + (curve == "P-521" ? 2 : 0), signature.Length);
        Assert.True(ec.VerifyData(Data, signature, hash), $"{alg}: the vault's signature does not verify with the public key");
        Assert.True((await PostAsync(vault, "keys/ec/verify", new { alg, digest = B64(digest), value = B64(signature) }))["value"]!.GetValue<bool>());

        using var other = ECDsa.Create(ec.ExportParameters(false).Curve);
        var foreign = other.SignData(Data, hash);
        Assert.False((await PostAsync(vault, "keys/ec/verify", new { alg, digest = B64(digest), value = B64(foreign) }))["value"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("RSA1_5")]
    [InlineData("RSA-OAEP")]
    [InlineData("RSA-OAEP-256")]
    public async Task Encrypt_decrypt_wrap_and_unwrap_interoperate_with_local_rsa(string alg)
    {
        var vault = await fx.NewVaultAsync(new { throttling = false });
        using var rsa = RSA.Create(3072);
        var kid = await ImportAsync(vault, "enc", Jwk(rsa));
        var padding = alg switch { "RSA1_5" => RSAEncryptionPadding.Pkcs1, "RSA-OAEP" => RSAEncryptionPadding.OaepSHA1, _ => RSAEncryptionPadding.OaepSHA256 };
        var plaintext = RandomNumberGenerator.GetBytes(32);

        foreach (var (encrypt, decrypt) in new[] { ("encrypt", "decrypt"), ("wrapkey", "unwrapkey") })
        {
            var encrypted = await PostAsync(vault, $"keys/enc/{encrypt}", new { alg, value = B64(plaintext) });
            Assert.Equal(kid, encrypted["kid"]!.GetValue<string>());
            Assert.Equal(plaintext, rsa.Decrypt(Bytes(encrypted["value"]), padding));

            var ours = rsa.Encrypt(plaintext, padding);
            var decrypted = await PostAsync(vault, $"keys/enc/{Version(kid)}/{decrypt}", new { alg, value = B64(ours) });
            Assert.Equal(plaintext, Bytes(decrypted["value"]));
        }
    }

    [Fact]
    public async Task Versionless_paths_use_the_latest_version()
    {
        var vault = await fx.NewVaultAsync(new { throttling = false });
        using var first = RSA.Create(2048);
        using var second = RSA.Create(2048);
        await ImportAsync(vault, "v", Jwk(first));
        var latest = await ImportAsync(vault, "v", Jwk(second));
        var (hash, digest) = Digest("RS256");
        foreach (var path in new[] { "keys/v/sign", "keys/v//sign", "keys/V/SIGN" })
        {
            var signed = await PostAsync(vault, path, new { alg = "RS256", value = B64(digest) });
            Assert.Equal(latest, signed["kid"]!.GetValue<string>());
            Assert.True(second.VerifyData(Data, Bytes(signed["value"]), hash, RSASignaturePadding.Pkcs1), path);
        }
    }

    [Fact]
    public async Task Refusals_are_the_services()
    {
        var vault = await fx.NewVaultAsync(new { throttling = false });
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await CreateAsync(vault, "verifyonly", """{"kty":"RSA","key_ops":["verify"]}""");
        await CreateAsync(vault, "disabled", """{"kty":"RSA","attributes":{"enabled":false}}""");
        await CreateAsync(vault, "future", $$$"""{"kty":"RSA","attributes":{"nbf":{{{now + 3600}}}}}""");
        await CreateAsync(vault, "expired", $$$"""{"kty":"RSA","attributes":{"exp":{{{now - 3600}}}}}""");
        await CreateAsync(vault, "ec", """{"kty":"EC","crv":"P-256","key_ops":["sign","verify","encrypt"]}""");
        var kid = await CreateAsync(vault, "rsa", """{"kty":"RSA"}""");
        var digest = B64(Digest("RS256").Digest);

        var r = await SendAsync(vault, "keys/verifyonly/sign", new { alg = "RS256", value = digest });
        KvAssert.Error(r, 403, "Forbidden", "KeyOperationForbidden");
        Assert.Equal("Operation sign is not permitted on this key.", r.ErrorMessage);
        KvAssert.Error(await SendAsync(vault, "keys/disabled/sign", new { alg = "RS256", value = digest }), 403, "Forbidden", "KeyDisabled");
        KvAssert.Error(await SendAsync(vault, "keys/future/encrypt", new { alg = "RSA-OAEP", value = digest }), 403, "Forbidden", "KeyNotYetValid");
        KvAssert.Error(await SendAsync(vault, "keys/expired/decrypt", new { alg = "RSA-OAEP", value = digest }), 403, "Forbidden", "KeyExpired");
        KvAssert.Error(await SendAsync(vault, "keys/ec/encrypt", new { alg = "RSA-OAEP", value = digest }), 400, "BadParameter");
        KvAssert.Error(await SendAsync(vault, "keys/ec/sign", new { alg = "ES384", value = B64(Digest("ES384").Digest) }), 400, "BadParameter");
        KvAssert.Error(await SendAsync(vault, "keys/rsa/sign", new { alg = "ES256", value = digest }), 400, "BadParameter");
        KvAssert.Error(await SendAsync(vault, "keys/rsa/sign", new { alg = "RS384", value = digest }), 400, "BadParameter", messageContains: "48-byte digest");
        KvAssert.Error(await SendAsync(vault, "keys/rsa/sign", new { alg = "HS256", value = digest }), 400, "BadParameter");
        KvAssert.Error(await SendAsync(vault, "keys/rsa/encrypt", new { alg = "RSA-OAEP", value = B64(new byte[300]) }), 400, "BadParameter");
        KvAssert.Error(await SendAsync(vault, "keys/rsa/decrypt", new { alg = "RSA-OAEP", value = B64(new byte[256]) }), 400, "BadParameter");
        KvAssert.Error(await SendAsync(vault, "keys/missing/sign", new { alg = "RS256", value = digest }), 404, "KeyNotFound");
        KvAssert.Error(await SendAsync(vault, "keys/rsa/0123456789abcdef0123456789abcdef/sign", new { alg = "RS256", value = digest }), 404, "KeyNotFound");
        KvAssert.Error(await fx.SendAsync(HttpMethod.Get, vault, "keys/rsa/sign" + Api), 405);
        Assert.NotNull(kid);

        // Permissions: keys/get alone does not sign; keys/sign does.
        var reader = (await fx.Server.CreateTokenAsync("reader", ["keys/get"])).Token;
        KvAssert.Error(await fx.SendAsync(HttpMethod.Post, vault, "keys/rsa/sign" + Api, Json(new { alg = "RS256", value = digest }), token: reader), 403, "Forbidden", "ForbiddenByRbac", messageContains: "keys/sign");
        var signer = (await fx.Server.CreateTokenAsync("signer", ["keys/sign"])).Token;
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Post, vault, "keys/rsa/sign" + Api, Json(new { alg = "RS256", value = digest }), token: signer)).StatusCode);
    }

    [Fact]
    public async Task A_certificates_key_signs_and_the_certificate_verifies_it()
    {
        var vault = await fx.NewVaultAsync(new { throttling = false });
        var client = fx.Certificates(vault);
        var cert = (await (await client.StartCreateCertificateAsync("signing", Azure.Security.KeyVault.Certificates.CertificatePolicy.Default)).WaitForCompletionAsync(TimeSpan.FromMilliseconds(100), default)).Value;
        var (hash, digest) = Digest("PS256");
        var signed = await PostAsync(vault, "keys/signing/sign", new { alg = "PS256", value = B64(digest) });
        Assert.Equal(cert.KeyId.ToString(), signed["kid"]!.GetValue<string>());
        using var x509 = X509CertificateLoader.LoadCertificate(cert.Cer);
        using var publicKey = x509.GetRSAPublicKey()!;
        Assert.True(publicKey.VerifyData(Data, Bytes(signed["value"]), hash, RSASignaturePadding.Pss));
    }

    private static (HashAlgorithmName Hash, byte[] Digest) Digest(string alg) => alg[2..] switch
    {
        "384" => (HashAlgorithmName.SHA384, SHA384.HashData(Data)),
        "512" => (HashAlgorithmName.SHA512, SHA512.HashData(Data)),
        _ => (HashAlgorithmName.SHA256, SHA256.HashData(Data)),
    };

    private static object Jwk(RSA rsa)
    {
        var p = rsa.ExportParameters(true);
        return new
        {
            kty = "RSA",
            key_ops = new[] { "encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey" },
            n = B64(p.Modulus!),
            e = B64(p.Exponent!),
            d = B64(p.D!),
            p = B64(p.P!),
            q = B64(p.Q!),
            dp = B64(p.DP!),
            dq = B64(p.DQ!),
            qi = B64(p.InverseQ!),
        };
    }

    private async Task<string> ImportAsync(VaultRef vault, string name, object jwk)
    {
        var r = await fx.SendAsync(HttpMethod.Put, vault, $"keys/{name}{Api}", Json(new { key = jwk }));
        Assert.True(r.StatusCode == 200, r.ToString());
        return r.Json["key"]!["kid"]!.GetValue<string>();
    }

    private async Task<string> CreateAsync(VaultRef vault, string name, string body)
    {
        var r = await fx.SendAsync(HttpMethod.Post, vault, $"keys/{name}/create{Api}", body);
        Assert.True(r.StatusCode == 200, r.ToString());
        return r.Json["key"]!["kid"]!.GetValue<string>();
    }

    private Task<RawResponse> SendAsync(VaultRef vault, string path, object body) => fx.SendAsync(HttpMethod.Post, vault, path + Api, Json(body));

    private async Task<JsonNode> PostAsync(VaultRef vault, string path, object body)
    {
        var r = await SendAsync(vault, path, body);
        Assert.True(r.StatusCode == 200, $"{path}: {r}");
        return r.Json;
    }

    private static string Json(object body) => System.Text.Json.JsonSerializer.Serialize(body);

    private static string Version(string kid) => kid[(kid.LastIndexOf('/') + 1)..];

    private static string B64(byte[] bytes) => Base64Url.Encode(bytes);

    private static byte[] Bytes(JsonNode? node) => Base64Url.Decode(node!.GetValue<string>());
}
