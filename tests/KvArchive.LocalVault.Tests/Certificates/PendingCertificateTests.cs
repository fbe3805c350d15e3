using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Security.KeyVault.Certificates;
using KvArchive.LocalVault.Tests.Infrastructure;

namespace KvArchive.LocalVault.Tests.Certificates;

/// <summary>
/// A certificate whose create is in progress, as the service shows it (JS SDK recording
/// certificates_client__lro__certificate_operation, "getCertificateOperation"): GET answers the new version disabled
/// with the policy and the pending reference and no cer, kid, sid or x5t; the 202 and the pending answers carry
/// Retry-After: 10; completion replaces it with the issued version.
/// </summary>
public sealed class PendingCertificateTests(LocalVaultFixture fx) : IClassFixture<LocalVaultFixture>
{
    private const string Api = "?api-version=2026-04-01";
    private const string UnknownPolicy = """{"policy":{"issuer":{"name":"Unknown"},"x509_props":{"subject":"CN=pending.example","validity_months":12},"key_props":{"kty":"RSA","key_size":2048}}}""";

    [Fact]
    public async Task A_create_in_progress_is_a_disabled_version_with_policy_and_pending_reference()
    {
        var vault = await fx.NewVaultAsync();
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var created = await fx.SendAsync(HttpMethod.Post, vault, "certificates/pend/create" + Api, UnknownPolicy);
        Assert.True(created.StatusCode == 202, created.ToString());
        Assert.Equal("10", created.Header("Retry-After"));
        Assert.Equal("inProgress", created.Json["status"]!.GetValue<string>());

        var pending = await fx.SendAsync(HttpMethod.Get, vault, "certificates/pend/pending" + Api);
        Assert.Equal(200, pending.StatusCode);
        Assert.Equal("10", pending.Header("Retry-After"));

        foreach (var path in new[] { "certificates/pend/", "certificates/pend" })
        {
            var r = await fx.SendAsync(HttpMethod.Get, vault, path + Api);
            Assert.True(r.StatusCode == 200, $"{path}: {r}");
            AssertPendingBundle(vault, r.Json, before);
        }

        var id = (await fx.SendAsync(HttpMethod.Get, vault, "certificates/pend" + Api)).Json["id"]!.GetValue<string>();
        var byVersion = await fx.SendAsync(HttpMethod.Get, new Uri(id + Api));
        Assert.Equal(200, byVersion.StatusCode);
        Assert.Equal(id, byVersion.Json["id"]!.GetValue<string>());

        var list = await fx.SendAsync(HttpMethod.Get, vault, "certificates" + Api);
        var item = Assert.Single(list.Json["value"]!.AsArray())!;
        Assert.Equal(new Uri(vault.Uri, "certificates/pend").ToString(), item["id"]!.GetValue<string>());
        Assert.False(item["attributes"]!["enabled"]!.GetValue<bool>());
        Assert.Null(item["x5t"]);
        var versions = await fx.SendAsync(HttpMethod.Get, vault, "certificates/pend/versions" + Api);
        Assert.Equal(id, Assert.Single(versions.Json["value"]!.AsArray())!["id"]!.GetValue<string>());

        // The key and secret come with the certificate, not before; a pending-only certificate has nothing to back up.
        KvAssert.Error(await fx.SendAsync(HttpMethod.Get, vault, "keys/pend" + Api), 404, "KeyNotFound");
        KvAssert.Error(await fx.SendAsync(HttpMethod.Get, vault, "secrets/pend" + Api), 404, "SecretNotFound");
        KvAssert.Error(await fx.SendAsync(HttpMethod.Post, vault, "certificates/pend/backup" + Api), 400, "BadParameter");

        // The .NET client reads it too.
        var sdk = (await fx.Certificates(vault).GetCertificateAsync("pend")).Value;
        Assert.False(sdk.Properties.Enabled);
        Assert.True(sdk.Cer is null || sdk.Cer.Length == 0);
        Assert.Equal("Unknown", sdk.Policy.IssuerName);

        // Deleting the operation leaves the certificate as the service does (JS SDK recording "can read, cancel and
        // delete a certificate's operation"): the disabled version stays, without "pending"; the operation is gone.
        Assert.Equal(200, (await fx.SendAsync(HttpMethod.Delete, vault, "certificates/pend/pending" + Api)).StatusCode);
        var after = await fx.SendAsync(HttpMethod.Get, vault, "certificates/pend" + Api);
        Assert.Equal(200, after.StatusCode);
        Assert.Equal(id, after.Json["id"]!.GetValue<string>());
        Assert.False(after.Json["attributes"]!["enabled"]!.GetValue<bool>());
        Assert.Null(after.Json["pending"]);
        Assert.Null(after.Json["cer"]);
        KvAssert.Error(await fx.SendAsync(HttpMethod.Get, vault, "certificates/pend/pending" + Api), 404, "PendingCertificateNotFound");
        Assert.Single((await fx.SendAsync(HttpMethod.Get, vault, "certificates" + Api)).Json["value"]!.AsArray());
    }

    [Fact]
    public async Task Completion_replaces_the_pending_version_with_the_issued_one()
    {
        var vault = await fx.NewVaultAsync(new { certificateDelayMs = 1500 });
        var client = fx.Certificates(vault);
        var first = (await (await client.StartCreateCertificateAsync("renew", CertificatePolicy.Default)).WaitForCompletionAsync(TimeSpan.FromMilliseconds(100), default)).Value;

        var created = await fx.SendAsync(HttpMethod.Post, vault, "certificates/renew/create" + Api, "{}");
        Assert.Equal(202, created.StatusCode);
        var pending = await fx.SendAsync(HttpMethod.Get, vault, "certificates/renew" + Api);
        Assert.Equal(200, pending.StatusCode);
        Assert.False(pending.Json["attributes"]!["enabled"]!.GetValue<bool>());
        Assert.Null(pending.Json["cer"]);
        var pendingId = pending.Json["id"]!.GetValue<string>();
        Assert.NotEqual(first.Id.ToString(), pendingId);
        var versions = await fx.SendAsync(HttpMethod.Get, vault, "certificates/renew/versions" + Api);
        Assert.Equal(2, versions.Json["value"]!.AsArray().Count);

        // The previous version's key and secret stay what they were meanwhile.
        Assert.Equal(first.KeyId, (await fx.Certificates(vault).GetCertificateVersionAsync("renew", first.Properties.Version)).Value.KeyId);

        var operation = await client.GetCertificateOperationAsync("renew");
        var done = (await operation.WaitForCompletionAsync(TimeSpan.FromMilliseconds(100), default)).Value;
        Assert.True(done.Properties.Enabled);
        Assert.NotEmpty(done.Cer);
        Assert.NotEqual(pendingId, done.Id.ToString());
        var after = await fx.SendAsync(HttpMethod.Get, vault, "certificates/renew/versions" + Api);
        var ids = after.Json["value"]!.AsArray().Select(v => v!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(2, ids.Count);
        Assert.DoesNotContain(pendingId, ids);
        var completed = await fx.SendAsync(HttpMethod.Get, vault, "certificates/renew/pending" + Api);
        Assert.Equal("completed", completed.Json["status"]!.GetValue<string>());
        Assert.Null(completed.Header("Retry-After"));
        var latest = await fx.SendAsync(HttpMethod.Get, vault, "certificates/renew" + Api);
        Assert.NotNull(latest.Json["cer"]);
        Assert.Equal(new Uri(vault.Uri, "certificates/renew/pending").ToString(), latest.Json["pending"]!["id"]!.GetValue<string>());
    }

    private static void AssertPendingBundle(VaultRef vault, JsonNode body, long before)
    {
        Assert.Matches($"^{Regex.Escape(vault.Uri.ToString())}certificates/pend/[0-9a-f]{{32}}$", body["id"]!.GetValue<string>());
        foreach (var absent in new[] { "cer", "kid", "sid", "x5t" })
        {
            Assert.True(body[absent] is null, $"a pending certificate has no {absent}: {body.ToJsonString()}");
        }

        var attributes = body["attributes"]!;
        Assert.False(attributes["enabled"]!.GetValue<bool>());
        var created = KvAssert.UnixSeconds(attributes["created"], "created");
        Assert.InRange(created, before - 1, before + 60);
        Assert.Equal(created, KvAssert.UnixSeconds(attributes["updated"], "updated"));
        Assert.Equal(created - 600, KvAssert.UnixSeconds(attributes["nbf"], "nbf"));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(created).AddMonths(12).ToUnixTimeSeconds(), KvAssert.UnixSeconds(attributes["exp"], "exp"));
        Assert.Equal("Unknown", body["policy"]!["issuer"]!["name"]!.GetValue<string>());
        Assert.Equal(new Uri(vault.Uri, "certificates/pend/policy").ToString(), body["policy"]!["id"]!.GetValue<string>());
        Assert.Equal(new Uri(vault.Uri, "certificates/pend/pending").ToString(), body["pending"]!["id"]!.GetValue<string>());
    }
}
