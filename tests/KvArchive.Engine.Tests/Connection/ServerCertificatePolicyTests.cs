using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KvArchive.Engine.Connection;

namespace KvArchive.Engine.Tests.Connection;

/// <summary>The extra root (LocalVault's certificate) is honoured for loopback hosts only, and never weakens checks.</summary>
[Trait("Category", "Unit")]
public sealed class ServerCertificatePolicyTests : IDisposable
{
    private readonly X509Certificate2 _localVault = SelfSigned("CN=LocalVault", "localhost", "*.vault.localhost", "prod.vault.azure.net");
    private readonly X509Certificate2 _stranger = SelfSigned("CN=Stranger", "localhost", "*.vault.localhost");

    public void Dispose()
    {
        _localVault.Dispose();
        _stranger.Dispose();
    }

    [Theory]
    [InlineData("prod.vault.localhost")]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    public void A_loopback_host_presenting_the_extra_root_is_trusted(string host)
        => Assert.True(ServerCertificatePolicy.IsTrusted(host, _localVault, null, SslPolicyErrors.RemoteCertificateChainErrors, _localVault));

    [Theory]
    [InlineData("prod.vault.azure.net")]
    [InlineData("prod.vault.localhost.evil.example")]
    [InlineData("10.0.0.1")]
    public void A_real_vault_host_is_never_trusted_through_the_extra_root(string host)
        => Assert.False(ServerCertificatePolicy.IsTrusted(host, _localVault, null, SslPolicyErrors.RemoteCertificateChainErrors, _localVault));

    [Fact]
    public void Another_root_is_not_trusted_on_loopback()
        => Assert.False(ServerCertificatePolicy.IsTrusted("prod.vault.localhost", _stranger, null, SslPolicyErrors.RemoteCertificateChainErrors, _localVault));

    [Fact]
    public void Without_an_extra_root_the_system_verdict_stands()
    {
        Assert.False(ServerCertificatePolicy.IsTrusted("prod.vault.localhost", _localVault, null, SslPolicyErrors.RemoteCertificateChainErrors, null));
        Assert.True(ServerCertificatePolicy.IsTrusted("prod.vault.azure.net", _localVault, null, SslPolicyErrors.None, null));
    }

    [Fact]
    public void A_name_mismatch_or_a_missing_certificate_is_never_forgiven()
    {
        Assert.False(ServerCertificatePolicy.IsTrusted("prod.vault.localhost", _localVault, null, SslPolicyErrors.RemoteCertificateNameMismatch, _localVault));
        Assert.False(ServerCertificatePolicy.IsTrusted("prod.vault.localhost", _localVault, null, SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateChainErrors, _localVault));
        Assert.False(ServerCertificatePolicy.IsTrusted("prod.vault.localhost", null, null, SslPolicyErrors.RemoteCertificateNotAvailable, _localVault));
    }

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("prod.vault.localhost", true)]
    [InlineData("PROD.VAULT.LOCALHOST", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.5.6.7", true)]
    [InlineData("[::1]", true)]
    [InlineData("localhost.example.com", false)]
    [InlineData("notlocalhost", false)]
    [InlineData("prod.vault.azure.net", false)]
    public void Loopback_hosts(string host, bool loopback) => Assert.Equal(loopback, LoopbackHost.IsLoopback(host));

    [Fact]
    public void The_extra_root_is_loaded_only_for_loopback_vaults()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kvarchive-root-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, _localVault.ExportCertificatePem());
        try
        {
            using var loaded = TrustedRoot.Load(new Uri("https://prod.vault.localhost:8443/"), path);
            Assert.Equal(_localVault.Thumbprint, loaded!.Thumbprint);
            Assert.Null(TrustedRoot.Load(new Uri("https://prod.vault.azure.net/"), path));

            var missing = Assert.Throws<Engine.Vault.KvException>(() => TrustedRoot.Load(new Uri("https://prod.vault.localhost/"), path + ".missing"));
            Assert.Equal(Engine.Vault.KvErrorKind.InvalidArgument, missing.Kind);
            // No cmdlet has a -TrustedCertificatePath: the message names where the path came from, not a parameter.
            Assert.Contains(path + ".missing", missing.Message, StringComparison.Ordinal);
            Assert.Contains("connection options", missing.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("-TrustedCertificatePath", missing.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static X509Certificate2 SelfSigned(string subject, params string[] dnsNames)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            san.AddDnsName(name);
        }

        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }
}
