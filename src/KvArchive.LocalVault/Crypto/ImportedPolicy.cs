using System.Security.Cryptography.X509Certificates;

namespace KvArchive.LocalVault.Crypto;

/// <summary>The policy the service derives from an imported certificate (issuer "Unknown").</summary>
public static class ImportedPolicy
{
    private static readonly (X509KeyUsageFlags Flag, string Name)[] Usages =
    [
        (X509KeyUsageFlags.DigitalSignature, "digitalSignature"),
        (X509KeyUsageFlags.NonRepudiation, "nonRepudiation"),
        (X509KeyUsageFlags.KeyEncipherment, "keyEncipherment"),
        (X509KeyUsageFlags.DataEncipherment, "dataEncipherment"),
        (X509KeyUsageFlags.KeyAgreement, "keyAgreement"),
        (X509KeyUsageFlags.KeyCertSign, "keyCertSign"),
        (X509KeyUsageFlags.CrlSign, "cRLSign"),
        (X509KeyUsageFlags.EncipherOnly, "encipherOnly"),
        (X509KeyUsageFlags.DecipherOnly, "decipherOnly"),
    ];

    /// <summary>Whole months from notBefore to notAfter, a started month counting as one (as the service reports).</summary>
    public static int ValidityMonths(DateTime notBefore, DateTime notAfter)
    {
        var months = ((notAfter.Year - notBefore.Year) * 12) + notAfter.Month - notBefore.Month;
        if (notBefore.AddMonths(months) < notAfter)
        {
            months++;
        }

        return Math.Max(1, months);
    }

    public static CertificatePolicyModel From(IssuedCertificate issued, string contentType, long now)
    {
        var cert = issued.Certificate;
        var usage = cert.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault()?.KeyUsages ?? X509KeyUsageFlags.None;
        var ekus = cert.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault()?.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value!).ToList() ?? [];
        var dns = cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault()?.EnumerateDnsNames().ToList() ?? [];
        var months = ValidityMonths(cert.NotBefore.ToUniversalTime(), cert.NotAfter.ToUniversalTime());
        var key = issued.Key;
        return new CertificatePolicyModel
        {
            KeyType = key.Kty,
            KeySize = key.IsRsa ? key.KeySize : 0,
            Curve = key.IsRsa ? null : key.Crv,
            Exportable = true,
            ReuseKey = false,
            ContentType = contentType,
            Subject = cert.Subject,
            DnsNames = dns,
            Ekus = ekus,
            KeyUsage = Usages.Where(u => usage.HasFlag(u.Flag)).Select(u => u.Name).ToList(),
            ValidityMonths = Math.Min(months, 1200),
            LifetimeActionsJson = "[]",
            IssuerName = "Unknown",
            Created = now,
            Updated = now,
        };
    }
}
