using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KvArchive.LocalVault.Tests.Infrastructure;

namespace KvArchive.LocalVault.Tests.Keys;

/// <summary>
/// Keys through a client nobody on the team wrote: the Azure SDK for JavaScript (@azure/keyvault-keys, pinned in
/// js/package-lock.json), run with node against real HTTPS, trusting LocalVault through NODE_EXTRA_CA_CERTS.
/// </summary>
public sealed class NodeKeysTests(LocalVaultFixture fx) : IClassFixture<LocalVaultFixture>
{
    private static string S(JsonNode? n) => n!.GetValue<string>();

    private static long L(JsonNode? n) => n!.GetValue<long>();

    private static int I(JsonNode? n) => n!.GetValue<int>();

    [Fact]
    public async Task Create_rsa_and_ec_keys_of_every_size()
    {
        var vault = await fx.NewVaultAsync(new { throttling = false });
        var r = await NodeRunner.RunScenarioAsync(fx, vault, "create", "c");
        foreach (var (size, bytes) in new[] { (2048, 256), (3072, 384), (4096, 512) })
        {
            var k = r[$"rsa{size}"]!;
            AssertKeyId(vault, $"c-rsa{size}", S(k["id"]));
            Assert.Equal("RSA", S(k["kty"]));
            Assert.Equal(bytes, I(k["nBytes"]));
            Assert.Equal("AQAB", S(k["e"]));
            Assert.False(k["hasPrivate"]!.GetValue<bool>(), "private key material must never be returned");
            Assert.True(k["enabled"]!.GetValue<bool>());
            Assert.Equal(L(k["created"]), L(k["updated"]));
            Assert.Equal("Recoverable+Purgeable", S(k["recoveryLevel"]));
            Assert.Equal(90, I(k["recoverableDays"]));
            Assert.NotEmpty(k["keyOps"]!.AsArray());
        }

        foreach (var (curve, bytes) in new[] { ("P-256", 32), ("P-384", 48), ("P-521", 66) })
        {
            var k = r[curve]!;
            AssertKeyId(vault, $"c-ec-{curve}", S(k["id"]));
            Assert.Equal("EC", S(k["kty"]));
            Assert.Equal(curve, S(k["crv"]));
            Assert.Equal(bytes, I(k["xBytes"]));
            Assert.Equal(bytes, I(k["yBytes"]));
            Assert.False(k["hasPrivate"]!.GetValue<bool>());
        }

        var generic = r["generic"]!;
        Assert.Equal(new[] { "sign", "verify" }, generic["keyOps"]!.AsArray().Select(S));
        Assert.Equal("test", S(generic["tags"]!["purpose"]));
        Assert.Equal(L(r["genericExpected"]!["notBefore"]), L(generic["notBefore"]));
        Assert.Equal(L(r["genericExpected"]!["expiresOn"]), L(generic["expiresOn"]));

        var second = r["secondVersion"]!;
        Assert.NotEqual(S(r["rsa2048"]!["version"]), S(second["version"]));
        Assert.NotEqual(S(r["rsa2048"]!["n"]), S(second["n"]));

        AssertFailure(r["unsupportedSize"], 400, "BadParameter");
        AssertFailure(r["unsupportedCurve"], 400, "BadParameter");
        AssertFailure(r["badName"], 400, "BadParameter");
    }

    [Fact]
    public async Task Import_jwk_keeps_the_public_key_and_hides_the_private_one()
    {
        var vault = await fx.NewVaultAsync(new { throttling = false });
        var r = await NodeRunner.RunScenarioAsync(fx, vault, "import", "i");
        var rsa = r["rsaImported"]!;
        AssertKeyId(vault, "i-imp-rsa", S(rsa["id"]));
        Assert.Equal("RSA", S(rsa["kty"]));
        Assert.Equal(S(r["rsaExpectedN"]), S(rsa["n"]));
        Assert.False(rsa["hasPrivate"]!.GetValue<bool>());
        Assert.Equal("jwk", S(rsa["tags"]!["from"]));
        var ec = r["ecImported"]!;
        Assert.Equal("EC", S(ec["kty"]));
        Assert.Equal("P-384", S(ec["crv"]));
        Assert.Equal(S(r["ecExpectedX"]), S(ec["x"]));
        Assert.False(ec["hasPrivate"]!.GetValue<bool>());
        Assert.NotEqual(S(rsa["version"]), S(r["reimport"]!["version"]));
        Assert.Equal(2, r["versions"]!.AsArray().Count);
        Assert.Equal(S(r["reimport"]!["version"]), S(r["got"]!["version"]));
        Assert.Equal(S(r["rsaExpectedN"]), S(r["got"]!["n"]));
        AssertFailure(r["missingModulus"], 400, "BadParameter");
    }

    [Fact]
    public async Task Get_latest_and_by_version_and_update_properties()
    {
        var vault = await fx.NewVaultAsync(new { throttling = false });
        var r = await NodeRunner.RunScenarioAsync(fx, vault, "getupdate", "g");
        var first = S(r["first"]!["version"]);
        var second = S(r["second"]!["version"]);
        Assert.Equal(second, S(r["latest"]!["version"]));
        Assert.Equal(first, S(r["byVersion"]!["version"]));
        Assert.Equal(S(r["first"]!["x"]), S(r["byVersion"]!["x"]));

        var updated = r["updated"]!;
        Assert.Equal(first, S(updated["version"]));
        Assert.False(updated["enabled"]!.GetValue<bool>());
        Assert.Equal("updated", S(updated["tags"]!["stage"]));
        Assert.Equal(L(r["expectedExpiresOn"]), L(updated["expiresOn"]));
        Assert.Equal(new[] { "sign" }, updated["keyOps"]!.AsArray().Select(S));
        Assert.Equal(L(r["first"]!["created"]), L(updated["created"]));
        Assert.True(L(updated["updated"]) >= L(updated["created"]));
        Assert.False(r["afterUpdate"]!["enabled"]!.GetValue<bool>());
        Assert.Equal("updated", S(r["afterUpdate"]!["tags"]!["stage"]));
        Assert.Equal(second, S(r["latestAfterUpdate"]!["version"]));
        Assert.True(r["latestAfterUpdate"]!["enabled"]!.GetValue<bool>());
        Assert.Equal(second, S(r["updateLatest"]!["version"]));
        Assert.Equal("yes", S(r["updateLatest"]!["tags"]!["latest"]));
        AssertFailure(r["missing"], 404, "KeyNotFound");
        AssertFailure(r["missingVersion"], 404, "KeyNotFound");
        Assert.Equal(new[] { "https://vault.localhost/.default" }, r["scopes"]!.AsArray().Select(S));
    }

    [Fact]
    public async Task List_keys_and_versions_with_paging()
    {
        // Ragged pages: short and empty pages that still carry a nextLink, which the JavaScript pager must follow.
        var vault = await fx.NewVaultAsync(new { throttling = false, pageShape = "ragged" });
        var r = await NodeRunner.RunScenarioAsync(fx, vault, "list", "l", new Dictionary<string, string> { ["KEY_COUNT"] = "30" });
        var pages7 = r["pages7"]!.AsArray();
        Assert.All(pages7, p => Assert.True(p!.AsArray().Count <= 7, $"page of {p!.AsArray().Count} with maxPageSize 7"));
        Assert.True(pages7.Count >= 5, $"{pages7.Count} pages");
        var names = pages7.SelectMany(p => p!.AsArray()).Select(i => S(i!["name"])).ToList();
        Assert.Equal(30, names.Count);
        Assert.Equal(30, names.Distinct().Count());
        Assert.All(pages7.SelectMany(p => p!.AsArray()), i =>
        {
            Assert.Null(i!["version"]);
            Assert.Matches($"^{Regex.Escape(vault.Uri.ToString())}keys/l-l[0-9]{{2}}$", S(i["id"]));
        });
        Assert.All(r["pagesDefault"]!.AsArray(), p => Assert.True(p!.AsArray().Count <= 25));
        Assert.Equal(30, r["all"]!.AsArray().Count);
        var versions = r["versions"]!.AsArray();
        Assert.Equal(3, versions.Count);
        Assert.Equal(3, versions.Select(v => S(v!["version"])).Distinct().Count());
        Assert.All(versions, v => Assert.Matches($"^{Regex.Escape(vault.Uri.ToString())}keys/l-l00/[0-9a-f]{{32}}$", S(v!["id"])));
        Assert.All(r["versionPages"]!.AsArray(), p => Assert.True(p!.AsArray().Count <= 2));
        Assert.Equal(3, r["versionPages"]!.AsArray().Sum(p => p!.AsArray().Count));
        Assert.Empty(r["noVersions"]!.AsArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    public async Task Delete_poller_deleted_keys_recover_and_purge(int deleteDelayMs)
    {
        var vault = await fx.NewVaultAsync(new { throttling = false, deleteDelayMs });
        var r = await NodeRunner.RunScenarioAsync(fx, vault, "delete", "d");
        var deleted = r["deleted"]!;
        Assert.Equal(new Uri(vault.Uri, "deletedkeys/d-del").ToString(), S(deleted["recoveryId"]));
        Assert.Equal(L(deleted["deletedOn"]) + (90 * 86400), L(deleted["scheduledPurgeDate"]));
        Assert.True(deleted["hasKey"]!.GetValue<bool>(), "the deleted key bundle carries the public key");
        if (deleteDelayMs > 0)
        {
            Assert.True(I(r["deleteMs"]) >= deleteDelayMs - 150, $"delete poller finished after {r["deleteMs"]} ms");
        }

        Assert.Equal(S(deleted["recoveryId"]), S(r["getDeleted"]!["recoveryId"]));
        Assert.Equal(new[] { "d-del" }, r["deletedList"]!.AsArray().Select(d => S(d!["name"])));
        AssertFailure(r["getAfterDelete"], 404, "KeyNotFound");
        AssertFailure(r["createOverDeleted"], 409, "Conflict");
        Assert.Equal(new[] { "d-keep" }, r["listAfterDelete"]!.AsArray().Select(p => S(p!["name"])));
        Assert.Equal(S(r["created"]!["id"]), S(r["recovered"]!["id"]));
        Assert.Equal(S(r["created"]!["x"]), S(r["getAfterRecover"]!["x"]));
        Assert.Empty(r["deletedListAfterRecover"]!.AsArray());
        AssertFailure(r["getDeletedAfterPurge"], 404, "KeyNotFound");
        AssertFailure(r["deleteMissing"], 404, "KeyNotFound");
        AssertFailure(r["purgeMissing"], 404, "KeyNotFound");
        AssertFailure(r["recoverMissing"], 404, "KeyNotFound");
    }

    [Fact]
    public async Task Backup_and_restore_keep_every_version()
    {
        var vault = await fx.NewVaultAsync(new { throttling = false });
        var r = await NodeRunner.RunScenarioAsync(fx, vault, "backup", "b");
        Assert.Equal("AzureKeyVaultKeyBackupV1.microsoft.com", S(r["blobTag"]));
        Assert.Equal("AzureKeyVaultKeyBackupV1.microsoft.com".Length, I(r["blobTagLength"]));
        AssertFailure(r["restoreWhileDeleted"], 409, "Conflict");

        var before = r["before"]!.AsArray().OrderBy(v => S(v!["version"]), StringComparer.Ordinal).ToList();
        var after = r["after"]!.AsArray().OrderBy(v => S(v!["version"]), StringComparer.Ordinal).ToList();
        Assert.Equal(2, before.Count);
        Assert.Equal(before.Count, after.Count);
        for (var i = 0; i < before.Count; i++)
        {
            Assert.Equal(S(before[i]!["id"]), S(after[i]!["id"]));
            Assert.Equal(L(before[i]!["created"]), L(after[i]!["created"]));
            Assert.Equal(L(before[i]!["updated"]), L(after[i]!["updated"]));
            Assert.Equal(before[i]!["tags"]!.ToJsonString(), after[i]!["tags"]!.ToJsonString());
        }

        Assert.NotEqual(L(before[0]!["created"]), L(before[1]!["created"]));
        Assert.Equal(S(r["latestBefore"]!["id"]), S(r["restored"]!["id"]));
        Assert.Equal(S(r["latestBefore"]!["x"]), S(r["latestAfter"]!["x"]));
        Assert.Equal("P-384", S(r["latestAfter"]!["crv"]));
        AssertFailure(r["restoreOverExisting"], 409, "Conflict");
        AssertFailure(r["restoreCorrupt"], 400, "Malformed backup blob");
        AssertFailure(r["restoreGarbage"], 400, "Malformed backup blob");
        AssertFailure(r["backupMissing"], 404, "KeyNotFound");
    }

    [Fact]
    public async Task Cryptography_client_signs_verifies_encrypts_and_wraps()
    {
        var vault = await fx.NewVaultAsync(new { throttling = false });
        var limited = (await fx.Server.CreateTokenAsync("js-limited", ["keys/sign", "keys/encrypt"])).Token;
        var r = await NodeRunner.RunScenarioAsync(fx, vault, "crypto", "x", new Dictionary<string, string> { ["LIMITED_TOKEN"] = limited });
        var rsaKeyId = S(r["rsaKeyId"]);
        AssertKeyId(vault, "x-rsa", rsaKeyId);
        foreach (var alg in new[] { "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "ES256K" })
        {
            var s = r["signatures"]![alg]!;
            Assert.True(s["verifiedLocally"]!.GetValue<bool>(), $"{alg}: node's crypto does not verify the vault's signature with the public key: {s.ToJsonString()}");
            Assert.True(s["verifiedByVault"]!.GetValue<bool>(), $"{alg}: the vault does not verify its own signature");
            Assert.False(s["tamperedByVault"]!.GetValue<bool>(), $"{alg}: the vault verifies a tampered signature");
            Assert.True(alg.StartsWith("PS", StringComparison.Ordinal) || s["verifyData"]!.GetValue<bool>(), $"{alg}: verifyData");
            Assert.Equal(alg.StartsWith('E') ? null : rsaKeyId, alg.StartsWith('E') ? null : S(s["keyID"]));
            Assert.Equal(alg switch { "ES384" => 96, "ES512" => 132, "ES256" or "ES256K" => 64, _ => 256 }, I(s["length"]));
            if (alg.StartsWith('E'))
            {
                Assert.False(s["otherKeysSignatureByVault"]!.GetValue<bool>(), $"{alg}: another key's signature verified");
            }
        }

        foreach (var alg in new[] { "RSA1_5", "RSA-OAEP", "RSA-OAEP-256" })
        {
            var e = r["encryption"]![alg]!;
            Assert.True(e["decryptedByVault"]!.GetValue<bool>(), $"{alg}: the vault does not decrypt what node encrypted with the public key");
            Assert.True(e["roundTrip"]!.GetValue<bool>(), $"{alg}: encrypt/decrypt");
            Assert.True(e["wrapRoundTrip"]!.GetValue<bool>(), $"{alg}: wrapKey/unwrapKey");
            if (alg != "RSA1_5")
            {
                Assert.True(e["vaultCiphertextDecryptedHere"]!.GetValue<bool>(), $"{alg}: node does not decrypt what the vault encrypted");
            }
        }

        AssertFailure(r["signOutsideKeyOps"], 403, "Forbidden");
        AssertFailure(r["encryptWithEc"], 400, "BadParameter");
        AssertFailure(r["wrongCurve"], 400, "BadParameter");
    }

    private void AssertKeyId(VaultRef vault, string name, string id)
        => Assert.Matches($"^{Regex.Escape(vault.Uri.ToString())}keys/{Regex.Escape(name)}/[0-9a-f]{{32}}$", id);

    private static void AssertFailure(JsonNode? failure, int status, string code)
    {
        Assert.NotNull(failure);
        Assert.True(failure!["threw"]!.GetValue<bool>(), $"expected {status} {code}, but the call succeeded");
        Assert.True(failure["statusCode"]?.GetValue<int>() == status && failure["code"]?.GetValue<string>() == code, $"expected {status} {code}, got {failure.ToJsonString()}");
    }
}
