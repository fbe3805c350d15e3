using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KvArchive.LocalVault.Tests.Infrastructure;
using KvArchive.LocalVault.Tests.Keys;

namespace KvArchive.LocalVault.Tests.Certificates;

/// <summary>
/// Certificates through the Azure SDK for JavaScript (@azure/keyvault-certificates, js/certificates.js): the flows of
/// its operations and merge samples, written from the SDK's documented behaviour.
/// </summary>
public sealed class NodeCertificatesTests(LocalVaultFixture fx) : IClassFixture<LocalVaultFixture>
{
    private static string S(JsonNode? n) => n!.GetValue<string>();

    private static bool B(JsonNode? n) => n!.GetValue<bool>();

    [Fact]
    public async Task Create_poller_and_get_certificate_operation_see_the_pending_certificate()
    {
        var vault = await fx.NewVaultAsync(new { certificateDelayMs = 1500 });
        var r = await NodeRunner.RunScriptAsync(fx, vault, "certificates.js", "operation", "o");
        Assert.Equal("inProgress", S(r["operationState"]!["status"]));
        Assert.True(B(r["operationState"]!["hasCsr"]));
        Assert.Equal("Self", S(r["operationState"]!["issuerName"]));

        var pending = r["pendingCertificate"]!;
        Assert.False(B(pending["enabled"]));
        Assert.False(B(pending["hasCer"]));
        Assert.Matches($"^{Regex.Escape(vault.Uri.ToString())}certificates/o-op/[0-9a-f]{{32}}$", S(pending["id"]));
        Assert.Equal("cn=MyCert", S(pending["policySubject"]));
        var listed = Assert.Single(r["listed"]!.AsArray())!;
        Assert.Equal("o-op", S(listed["name"]));
        Assert.False(B(listed["enabled"]));
        Assert.Equal(S(pending["version"]), S(Assert.Single(r["versions"]!.AsArray())!["version"]));

        foreach (var done in new[] { r["fromOperationPoller"]!, r["fromCreatePoller"]!, r["completed"]! })
        {
            Assert.True(B(done["enabled"]));
            Assert.True(B(done["hasCer"]));
            Assert.NotEqual(S(pending["version"]), S(done["version"]));
            Assert.Equal(new Uri(vault.Uri, $"keys/o-op/{S(done["version"])}").ToString(), S(done["keyId"]));
        }

        Assert.Equal(S(r["completed"]!["version"]), S(r["fromOperationPoller"]!["version"]));
        Assert.Equal("completed", S(r["completedOperation"]!["status"]));
        Assert.Equal(new Uri(vault.Uri, "certificates/o-op").ToString(), S(r["completedOperation"]!["target"]));
        var after = Assert.Single(r["versionsAfter"]!.AsArray())!;
        Assert.True(B(after["enabled"]));
    }

    [Fact]
    public async Task An_unknown_issuer_operation_is_cancelled_and_deleted()
    {
        var vault = await fx.NewVaultAsync();
        var r = await NodeRunner.RunScriptAsync(fx, vault, "certificates.js", "cancel", "c");
        Assert.False(B(r["pendingCertificate"]!["enabled"]));
        Assert.Equal("Unknown", S(r["pendingCertificate"]!["policyIssuer"]));
        Assert.Equal("inProgress", S(r["inProgress"]!["status"]));
        // As recorded from the service: a cancellation request leaves the operation "inProgress" with
        // cancellation_requested, and deleting the operation keeps the certificate's disabled version.
        Assert.Equal("inProgress", S(r["cancelled"]!["status"]));
        Assert.True(B(r["cancelled"]!["cancellationRequested"]));
        Assert.Equal("inProgress", S(r["deleted"]!["status"]));
        Assert.True(B(r["deleted"]!["cancellationRequested"]));
        // getCertificateOperation() reads the certificate (still there) and then the operation (gone).
        AssertFailure(r["operationAfterDelete"], 404, "PendingCertificateNotFound");
        Assert.False(B(r["certificateAfterDelete"]!["threw"]));
    }

    [Fact]
    public async Task Issuers_through_the_javascript_client()
    {
        var vault = await fx.NewVaultAsync();
        var r = await NodeRunner.RunScriptAsync(fx, vault, "certificates.js", "issuers", "i");
        var created = r["created"]!;
        // The JS client names an issuer by the id's segment after "certificates" ("issuers"), as it would the service's
        // identical ids; the id is the one to check.
        Assert.Equal(new Uri(vault.Uri, "certificates/issuers/i-issuer").ToString(), S(created["id"]));
        Assert.Equal("Test", S(created["provider"]));
        Assert.Equal("keyvaultuser", S(created["accountId"]));
        Assert.False(B(created["hasPassword"]));
        Assert.Equal("John Doe <admin@example.com> 4255555555", S(Assert.Single(created["admins"]!.AsArray())));
        Assert.Equal(created.ToJsonString(), r["got"]!.ToJsonString());
        Assert.Equal("keyvaultuser2", S(r["updated"]!["accountId"]));
        Assert.Equal("Test", S(r["updated"]!["provider"]));
        Assert.Equal(new[] { "i-issuer", "i-issuer2" }, r["listed"]!.AsArray().Select(i => S(i!["id"]).Split('/')[^1]).Order(StringComparer.Ordinal));
        Assert.Equal("inProgress", S(r["byIssuer"]!["status"]));
        Assert.Equal("i-issuer", S(r["byIssuer"]!["issuerName"]));
        Assert.Equal("keyvaultuser2", S(r["deleted"]!["accountId"]));
        AssertFailure(r["getAfterDelete"], 404, "CertificateIssuerNotFound");
        AssertFailure(r["updateMissing"], 404, "CertificateIssuerNotFound");
    }

    [Fact]
    public async Task Merge_of_a_csr_signed_outside()
    {
        var vault = await fx.NewVaultAsync();
        var start = await NodeRunner.RunScriptAsync(fx, vault, "certificates.js", "mergestart", "m");
        Assert.Equal("inProgress", S(start["operation"]!["status"]));
        Assert.Equal("Unknown", S(start["operation"]!["issuerName"]));
        Assert.False(B(start["pendingCertificate"]!["enabled"]));

        using var ca = new MergeTestAuthority();
        var signed = ca.Sign(Base64Url.Decode(S(start["operation"]!["csr"])));
        var finish = await NodeRunner.RunScriptAsync(fx, vault, "certificates.js", "mergefinish", "m", new Dictionary<string, string>
        {
            ["SIGNED_CERTIFICATE"] = Convert.ToBase64String(signed),
            ["CA_CERTIFICATE"] = Convert.ToBase64String(ca.Certificate.RawData),
        });
        AssertFailure(finish["wrongKey"], 400, "BadParameter");
        var merged = finish["merged"]!;
        Assert.True(B(merged["enabled"]));
        Assert.Equal(Base64Url.Encode(signed), S(merged["cer"]));
        Assert.Equal(S(merged["version"]), S(finish["got"]!["version"]));
        Assert.Equal("completed", S(finish["operation"]!["status"]));
        AssertFailure(finish["mergeAgain"], 400, "BadParameter");
    }

    private static void AssertFailure(JsonNode? failure, int status, string code)
    {
        Assert.NotNull(failure);
        Assert.True(failure!["threw"]!.GetValue<bool>(), $"expected {status} {code}, but the call succeeded");
        Assert.True(failure["statusCode"]?.GetValue<int>() == status && failure["code"]?.GetValue<string>() == code, $"expected {status} {code}, got {failure.ToJsonString()}");
    }
}
