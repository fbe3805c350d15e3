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
        var certificate = new CertificateVersion
        {
            Version = id,
            Cer = cert.RawData,
            X5t = CertificateFactory.Thumbprint(cert.RawData),
            Subject = cert.Subject,
            Created = now,
            Updated = now,
            Enabled = enabled,
            NotBefore = notBefore,
            Expires = expires,
            Tags = tags,
        };
        var key = new KeyVersion
        {
            Version = id,
            Material = issued.Key,
            KeyOps = issued.Key.IsRsa ? KeyFactory.RsaOperations : KeyFactory.EcOperations,
            Exportable = policy.Exportable,
            Created = now,
            Updated = now,
            Enabled = enabled,
            NotBefore = notBefore,
            Expires = expires,
            Tags = tags,
        };
        var secret = new SecretVersion
        {
            Version = id,
            Value = CertificateFactory.SecretValue(issued, policy.ContentType),
            ContentType = policy.ContentType,
            Created = now,
            Updated = now,
            Enabled = enabled,
            NotBefore = notBefore,
            Expires = expires,
            Tags = tags,
        };
        return (certificate, key, secret);
    }
}
