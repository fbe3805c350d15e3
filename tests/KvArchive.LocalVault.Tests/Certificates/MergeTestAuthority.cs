using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KvArchive.LocalVault.Tests.Certificates;

/// <summary>An outside CA for merge tests: signs a vault's CSR the way a real issuer would.</summary>
public sealed class MergeTestAuthority : IDisposable
{
    private readonly RSA _key = RSA.Create(2048);

    public MergeTestAuthority()
    {
        var request = new CertificateRequest("CN=LocalVault Test CA", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    /// <summary>The CA certificate (with its private key).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Signs a PKCS#10 request (DER) for six months; the certificate as DER.</summary>
    public byte[] Sign(byte[] csr)
    {
        var request = CertificateRequest.LoadSigningRequest(csr, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        // The generator overload: an RSA CA signs EC requests too.
        var generator = X509SignatureGenerator.CreateForRSA(_key, RSASignaturePadding.Pkcs1);
        using var signed = request.Create(Certificate.SubjectName, generator, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMonths(6), serial);
        return signed.RawData;
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}
