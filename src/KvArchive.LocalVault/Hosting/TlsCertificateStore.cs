using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace KvArchive.LocalVault.Hosting;

/// <summary>
/// LocalVault's TLS certificate: a self-signed CA-style certificate (SANs localhost, *.vault.localhost, 127.0.0.1)
/// kept as PEM in a folder that several processes may share. If the files exist they are loaded; otherwise one is
/// generated into temporary files and moved into place without overwriting: the key file first (whoever moves it
/// wins), then the certificate. A process that loses the race waits for the winner's certificate and loads it.
/// </summary>
public static class TlsCertificateStore
{
    public const string CertificateFileName = "localvault.crt.pem";
    public const string KeyFileName = "localvault.key.pem";

    private static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(20);

    /// <summary>Loads or creates the certificate; returns it (with its private key) and the PEM path to trust.</summary>
    public static X509Certificate2 LoadOrCreate(string directory, out string certificatePath)
    {
        Directory.CreateDirectory(directory);
        certificatePath = Path.Combine(directory, CertificateFileName);
        var keyPath = Path.Combine(directory, KeyFileName);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var haveCert = File.Exists(certificatePath);
            var haveKey = File.Exists(keyPath);
            if (haveCert && haveKey)
            {
                var loaded = TryLoad(certificatePath, keyPath);
                if (loaded is not null)
                {
                    return loaded;
                }

                // Unreadable or expired: replace it (if it is not being written right now).
                if (Age(certificatePath) > StaleAfter)
                {
                    return Replace(certificatePath, keyPath);
                }
            }
            else if (haveKey || haveCert)
            {
                // Another process is between its two moves; a leftover of a crash is replaced.
                var present = haveKey ? keyPath : certificatePath;
                if (Age(present) > StaleAfter)
                {
                    TryDelete(present);
                    continue;
                }
            }
            else if (TryCreate(certificatePath, keyPath) is { } created)
            {
                return created;
            }

            Thread.Sleep(50);
        }

        throw new IOException($"Could not load or create the TLS certificate in {directory}.");
    }

    /// <summary>
    /// A token-signing key derived from the certificate's private key and the process's geography (HMAC of the key's
    /// PKCS#8 form with a label naming the geography), so every process of one geography sharing the TLS folder signs
    /// alike — a restart keeps its clients' tokens valid — while another geography, like another tenant, refuses
    /// them; a random key where the private key cannot be exported.
    /// </summary>
    public static byte[] DeriveTokenSigningKey(X509Certificate2 certificate, string geography)
    {
        try
        {
            using AsymmetricAlgorithm? key = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey();
            if (key is not null)
            {
                return HMACSHA256.HashData(key.ExportPkcs8PrivateKey(), System.Text.Encoding.UTF8.GetBytes("LocalVault token signing v1|" + geography));
            }
        }
        catch (CryptographicException)
        {
            // A platform key store that refuses export: tokens are then this process's own.
        }

        return RandomNumberGenerator.GetBytes(32);
    }

    private static X509Certificate2? TryCreate(string certificatePath, string keyPath)
    {
        var (certPem, keyPem) = Generate();
        var suffix = $".{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        var tmpKey = keyPath + suffix;
        var tmpCert = certificatePath + suffix;
        WritePrivate(tmpKey, keyPem);
        File.WriteAllText(tmpCert, certPem);
        try
        {
            File.Move(tmpKey, keyPath, overwrite: false);
        }
        catch (IOException)
        {
            // Another process won the race: use its files.
            TryDelete(tmpKey);
            TryDelete(tmpCert);
            return null;
        }

        File.Move(tmpCert, certificatePath, overwrite: true);
        return Load(certificatePath, keyPath);
    }

    private static X509Certificate2 Replace(string certificatePath, string keyPath)
    {
        var (certPem, keyPem) = Generate();
        var suffix = $".{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        WritePrivate(keyPath + suffix, keyPem);
        File.WriteAllText(certificatePath + suffix, certPem);
        File.Move(keyPath + suffix, keyPath, overwrite: true);
        File.Move(certificatePath + suffix, certificatePath, overwrite: true);
        return Load(certificatePath, keyPath);
    }

    private static X509Certificate2? TryLoad(string certificatePath, string keyPath)
    {
        try
        {
            var cert = Load(certificatePath, keyPath);
            if (cert.NotAfter.ToUniversalTime() > DateTime.UtcNow.AddDays(1) && cert.NotBefore.ToUniversalTime() < DateTime.UtcNow)
            {
                return cert;
            }

            cert.Dispose();
        }
        catch (Exception e) when (e is CryptographicException or IOException or ArgumentException)
        {
        }

        return null;
    }

    private static X509Certificate2 Load(string certificatePath, string keyPath)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);

        // Re-import through PKCS#12 so the key is usable by every TLS back end.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }

    private static (string CertificatePem, string KeyPem) Generate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=KvArchive LocalVault development CA, O=KvArchive", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddDnsName("*.vault.localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var cert = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
        return (cert.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    private static void WritePrivate(string path, string content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(content);
    }

    private static TimeSpan Age(string path)
    {
        try
        {
            return DateTime.UtcNow - File.GetLastWriteTimeUtc(path);
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
