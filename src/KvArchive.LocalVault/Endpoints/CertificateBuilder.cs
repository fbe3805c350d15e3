using KvArchive.LocalVault.Crypto;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Endpoints;

/// <summary>The three versions (certificate, managed key, managed secret) one certificate version is made of; they share the version id.</summary>
public static class CertificateBuilder
{
    private static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>();

    public static (CertificateVersion Certificate, KeyVersion Key, SecretVersion Secret) Build(
        IssuedCertificate issued, CertificatePolicyModel policy, long now, bool enabled, IReadOnlyDictionary<string, string>? tags)
    {
        var id = ObjectNames.NewVersion();
        var cert = issued.Certificate;
        var notBefore = new DateTimeOffset(cert.NotBefore.ToUniversalTime()).ToUnixTimeSeconds();
        var expires = new DateTimeOffset(cert.NotAfter.ToUniversalTime()).ToUnixTimeSeconds();
        tags ??= NoTags;
        var certificate = Shared(new CertificateVersion
        {
            Version = id,
            Cer = cert.RawData,
            X5t = CertificateFactory.Thumbprint(cert.RawData),
            Subject = cert.Subject,
        });
        var key = Shared(new KeyVersion
        {
            Version = id,
            Material = issued.Key,
            KeyOps = issued.Key.IsRsa ? KeyFactory.RsaOperations : KeyFactory.EcOperations,
            Exportable = policy.Exportable,
        });
        var secret = Shared(new SecretVersion
        {
            Version = id,
            Value = CertificateFactory.SecretValue(issued, policy.ContentType),
            ContentType = policy.ContentType,
        });
        return (certificate, key, secret);

        // The attributes the three versions share: created together, enabled together, valid as the certificate is.
        TVersion Shared<TVersion>(TVersion version)
            where TVersion : ObjectVersion
            => (TVersion)(version with { Created = now, Updated = now, Enabled = enabled, NotBefore = notBefore, Expires = expires, Tags = tags });
    }
}
