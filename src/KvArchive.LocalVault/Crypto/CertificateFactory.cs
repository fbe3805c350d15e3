using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using KvArchive.LocalVault.Http;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Crypto;

/// <summary>Self-signed certificates from a policy, PFX/PEM imports, and the managed secret's value.</summary>
public static class CertificateFactory
{
    private static readonly Dictionary<string, X509KeyUsageFlags> Usages = new(StringComparer.Ordinal)
    {
        ["digitalSignature"] = X509KeyUsageFlags.DigitalSignature,
        ["nonRepudiation"] = X509KeyUsageFlags.NonRepudiation,
        ["keyEncipherment"] = X509KeyUsageFlags.KeyEncipherment,
        ["dataEncipherment"] = X509KeyUsageFlags.DataEncipherment,
        ["keyAgreement"] = X509KeyUsageFlags.KeyAgreement,
        ["keyCertSign"] = X509KeyUsageFlags.KeyCertSign,
        ["cRLSign"] = X509KeyUsageFlags.CrlSign,
        ["encipherOnly"] = X509KeyUsageFlags.EncipherOnly,
        ["decipherOnly"] = X509KeyUsageFlags.DecipherOnly,
    };

    /// <summary>Creates a key (or reuses <paramref name="reuse"/>) and a self-signed certificate per the policy.</summary>
    public static IssuedCertificate CreateSelfSigned(CertificatePolicyModel policy, DateTimeOffset now, KeyMaterial? reuse = null)
    {
        X500DistinguishedName subject;
        try
        {
            subject = new X500DistinguishedName(policy.Subject);
        }
        catch (CryptographicException)
        {
            throw VaultErrors.BadParameter($"The policy's subject '{policy.Subject}' is not a valid X.500 distinguished name.");
        }

        if (policy.Subject.Length == 0 && policy.DnsNames.Count + policy.Emails.Count + policy.Upns.Count == 0)
        {
            throw VaultErrors.BadParameter("The certificate policy needs a subject or subject alternative names.");
        }

        AsymmetricAlgorithm key;
        CertificateRequest request;
        if (policy.IsEc)
        {
            var crv = policy.Curve ?? "P-256";
            var ec = reuse is { IsRsa: false } ? ToEcdsa(reuse) : ECDsa.Create(KeyFactory.Curve(crv));
            key = ec;
            var hash = crv switch { "P-384" => HashAlgorithmName.SHA384, "P-521" => HashAlgorithmName.SHA512, _ => HashAlgorithmName.SHA256 };
            request = new CertificateRequest(subject, ec, hash);
        }
        else
        {
            var rsa = reuse is { IsRsa: true } ? ToRsa(reuse) : RSA.Create(policy.KeySize);
            key = rsa;
            request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }

        using (key)
        {
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
            var usage = policy.KeyUsage.Aggregate(X509KeyUsageFlags.None, (all, u) => all | Usages[u]);
            if (usage != X509KeyUsageFlags.None)
            {
                request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
            }

            if (policy.Ekus.Count > 0)
            {
                var ekus = new OidCollection();
                foreach (var eku in policy.Ekus)
                {
                    ekus.Add(new Oid(eku));
                }

                request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(ekus, false));
            }

            if (policy.DnsNames.Count + policy.Emails.Count + policy.Upns.Count > 0)
            {
                var san = new SubjectAlternativeNameBuilder();
                foreach (var dns in policy.DnsNames)
                {
                    san.AddDnsName(dns);
                }

                foreach (var email in policy.Emails)
                {
                    san.AddEmailAddress(email);
                }

                foreach (var upn in policy.Upns)
                {
                    san.AddUserPrincipalName(upn);
                }

                request.CertificateExtensions.Add(san.Build());
            }

            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            var csr = Convert.ToBase64String(request.CreateSigningRequest());
            var notBefore = now.AddMinutes(-10);
            var serial = RandomNumberGenerator.GetBytes(16);
            serial[0] &= 0x7F;
            X509Certificate2 certificate;
            try
            {
                using var unsigned = key is RSA r
                    ? request.Create(subject, X509SignatureGenerator.CreateForRSA(r, RSASignaturePadding.Pkcs1), notBefore, now.AddMonths(policy.ValidityMonths), serial)
                    : request.Create(subject, X509SignatureGenerator.CreateForECDsa((ECDsa)key), notBefore, now.AddMonths(policy.ValidityMonths), serial);
                certificate = key is RSA rsa ? unsigned.CopyWithPrivateKey(rsa) : unsigned.CopyWithPrivateKey((ECDsa)key);
            }
            catch (ArgumentException e)
            {
                throw VaultErrors.BadParameter("The certificate policy cannot be issued: " + e.Message);
            }

            var material = KeyFactory.FromCertificate(certificate);
            if (policy.KeyType.EndsWith("-HSM", StringComparison.Ordinal))
            {
                material = material with { Kty = policy.KeyType };
            }

            return new IssuedCertificate(certificate, [], material, csr);
        }
    }

    /// <summary>Reads a PFX (base64, optional password) or PEM (certificate and private key) import; 400 if unusable.</summary>
    public static IssuedCertificate Import(string value, string? password)
    {
        var trimmed = value.Trim();
        var certificates = new List<X509Certificate2>();
        try
        {
            if (trimmed.StartsWith("-----BEGIN", StringComparison.Ordinal))
            {
                var leaf = string.IsNullOrEmpty(password) || !trimmed.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal)
                    ? X509Certificate2.CreateFromPem(trimmed, trimmed)
                    : X509Certificate2.CreateFromEncryptedPem(trimmed, trimmed, password);
                certificates.Add(X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable));
                var all = new X509Certificate2Collection();
                all.ImportFromPem(trimmed);
                certificates.AddRange(all.Where(c => c.Thumbprint != leaf.Thumbprint));
            }
            else
            {
                var bytes = Convert.FromBase64String(string.Concat(trimmed.Where(c => !char.IsWhiteSpace(c))));
                certificates.AddRange(X509CertificateLoader.LoadPkcs12Collection(bytes, password, X509KeyStorageFlags.Exportable));
            }
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            throw VaultErrors.BadParameter("The certificate to import could not be read as PFX (base64) or PEM: " + e.Message);
        }

        var withKey = certificates.FirstOrDefault(c => c.HasPrivateKey)
            ?? throw VaultErrors.BadParameter("The certificate to import has no private key. Import a PFX or PEM that contains the private key.");
        return new IssuedCertificate(withKey, certificates.Where(c => !ReferenceEquals(c, withKey)).ToList(), KeyFactory.FromCertificate(withKey), null);
    }

    /// <summary>
    /// A merge: the signed certificate (x5c[0]) with the pending key it was issued for, and its chain. 400 when a
    /// certificate cannot be read or the signed one does not carry the key's public key.
    /// </summary>
    public static IssuedCertificate Merge(IReadOnlyList<byte[]> x5c, KeyMaterial key)
    {
        var certificates = new List<X509Certificate2>();
        try
        {
            foreach (var der in x5c)
            {
                certificates.Add(X509CertificateLoader.LoadCertificate(der));
            }
        }
        catch (CryptographicException e)
        {
            foreach (var c in certificates)
            {
                c.Dispose();
            }

            throw VaultErrors.BadParameter("A certificate in 'x5c' could not be read: " + e.Message);
        }

        var signed = certificates[0];
        X509Certificate2 withKey;
        try
        {
            if (key.IsRsa)
            {
                using var rsa = ToRsa(key);
                using var publicKey = signed.GetRSAPublicKey();
                var matches = publicKey is not null && publicKey.ExportParameters(false).Modulus!.AsSpan().SequenceEqual(rsa.ExportParameters(false).Modulus);
                withKey = matches ? signed.CopyWithPrivateKey(rsa) : throw KeyMismatch();
            }
            else
            {
                using var ec = ToEcdsa(key);
                using var publicKey = signed.GetECDsaPublicKey();
                var matches = publicKey is not null && publicKey.ExportParameters(false).Q.X!.AsSpan().SequenceEqual(ec.ExportParameters(false).Q.X);
                withKey = matches ? signed.CopyWithPrivateKey(ec) : throw KeyMismatch();
            }
        }
        catch
        {
            foreach (var c in certificates)
            {
                c.Dispose();
            }

            throw;
        }

        signed.Dispose();
        var exportable = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
        withKey.Dispose();
        return new IssuedCertificate(exportable, certificates.Skip(1).ToList(), key, null);

        static VaultErrorException KeyMismatch() => VaultErrors.BadParameter("The public key of the certificate to merge (x5c[0]) is not the key of the pending certificate signing request.");
    }

    /// <summary>The managed secret's value: base64 PFX without a password, or PEM (PKCS#8 key then certificates).</summary>
    public static string SecretValue(IssuedCertificate issued, string contentType)
    {
        if (contentType == CertificatePolicyModel.Pem)
        {
            var pem = new StringBuilder();
            using (var rsa = issued.Certificate.GetRSAPrivateKey())
            using (var ec = issued.Certificate.GetECDsaPrivateKey())
            {
                pem.Append(rsa?.ExportPkcs8PrivateKeyPem() ?? ec!.ExportPkcs8PrivateKeyPem()).Append('\n');
            }

            pem.Append(issued.Certificate.ExportCertificatePem()).Append('\n');
            foreach (var c in issued.Chain)
            {
                pem.Append(c.ExportCertificatePem()).Append('\n');
            }

            return pem.ToString();
        }

        var collection = new X509Certificate2Collection(issued.Certificate);
        collection.AddRange(issued.Chain.ToArray());
        return Convert.ToBase64String(collection.Export(X509ContentType.Pkcs12)!);
    }

    /// <summary>Unpadded base64url SHA-1 of the DER, the service's x5t.</summary>
    public static string Thumbprint(byte[] der) => Base64Url.EncodeToString(SHA1.HashData(der));

    public static RSA ToRsa(KeyMaterial m)
    {
        var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters
        {
            Modulus = D(m.N),
            Exponent = D(m.E),
            D = D(m.D),
            P = D(m.P),
            Q = D(m.Q),
            DP = D(m.DP),
            DQ = D(m.DQ),
            InverseQ = D(m.QI),
        });
        return rsa;
    }

    public static ECDsa ToEcdsa(KeyMaterial m)
    {
        var ec = ECDsa.Create();
        ec.ImportParameters(new ECParameters
        {
            Curve = KeyFactory.Curve(m.Crv ?? "P-256"),
            Q = new ECPoint { X = D(m.X), Y = D(m.Y) },
            D = D(m.D),
        });
        return ec;
    }

    private static byte[]? D(string? s) => s is null ? null : Base64Url.DecodeFromChars(s);
}
