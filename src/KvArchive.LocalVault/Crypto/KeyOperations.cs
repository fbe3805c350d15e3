using System.Security.Cryptography;
using KvArchive.LocalVault.Http;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Crypto;

/// <summary>
/// The six cryptographic operations on a stored key's material: RSA (RSA1_5, RSA-OAEP, RSA-OAEP-256; RS/PS 256/384/512)
/// and EC (ES256/384/512, ES256K). Results are the standard encodings the SDKs verify or decrypt locally: PKCS#1 v1.5
/// or PSS (salt length = hash length) RSA signatures, IEEE P1363 (r‖s) ECDSA signatures, OAEP with the algorithm's hash.
/// </summary>
public static class KeyOperations
{
    private static readonly string[] RsaEncryption = ["RSA1_5", "RSA-OAEP", "RSA-OAEP-256"];
    private static readonly string[] Signatures = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "ES256K"];

    /// <summary>400 unless <paramref name="alg"/> is an algorithm of <paramref name="operation"/> LocalVault offers.</summary>
    public static void CheckAlgorithm(string operation, string alg)
    {
        var known = operation is "sign" or "verify" ? Signatures : RsaEncryption;
        if (Array.IndexOf(known, alg) < 0)
        {
            throw VaultErrors.BadParameter($"Algorithm '{alg}' is not supported for the {operation} operation. Use one of: {string.Join(", ", known)}.");
        }
    }

    public static byte[] Sign(KeyMaterial key, string alg, byte[] digest)
    {
        var hash = CheckDigest(key, alg, digest);
        if (key.IsRsa)
        {
            using var rsa = CertificateFactory.ToRsa(key);
            return Run(() => rsa.SignHash(digest, hash, RsaPadding(alg)));
        }

        using var ec = CertificateFactory.ToEcdsa(key);
        return Run(() => ec.SignHash(digest));
    }

    public static bool Verify(KeyMaterial key, string alg, byte[] digest, byte[] signature)
    {
        var hash = CheckDigest(key, alg, digest);
        if (key.IsRsa)
        {
            using var rsa = CertificateFactory.ToRsa(key);
            return Run(() => rsa.VerifyHash(digest, signature, hash, RsaPadding(alg)));
        }

        using var ec = CertificateFactory.ToEcdsa(key);
        return Run(() => ec.VerifyHash(digest, signature));
    }

    public static byte[] Encrypt(KeyMaterial key, string alg, byte[] plaintext)
    {
        using var rsa = RequireRsa(key, alg);
        var padding = EncryptionPadding(alg);
        var max = (rsa.KeySize / 8) - (alg == "RSA1_5" ? 11 : 2 + (2 * HashBytes(padding)));
        if (plaintext.Length > max)
        {
            throw VaultErrors.BadParameter($"The value is {plaintext.Length} bytes: {alg} with this {rsa.KeySize}-bit key takes at most {max}.");
        }

        return Run(() => rsa.Encrypt(plaintext, padding));
    }

    public static byte[] Decrypt(KeyMaterial key, string alg, byte[] ciphertext)
    {
        using var rsa = RequireRsa(key, alg);
        if (ciphertext.Length != rsa.KeySize / 8)
        {
            throw VaultErrors.BadParameter($"The value is {ciphertext.Length} bytes: a ciphertext of this {rsa.KeySize}-bit key is {rsa.KeySize / 8}.");
        }

        try
        {
            return rsa.Decrypt(ciphertext, EncryptionPadding(alg));
        }
        catch (CryptographicException)
        {
            throw VaultErrors.BadParameter("The value could not be decrypted with this key and algorithm.");
        }
    }

    private static HashAlgorithmName CheckDigest(KeyMaterial key, string alg, byte[] digest)
    {
        var (hash, length) = alg[2..] switch
        {
            "256" or "256K" => (HashAlgorithmName.SHA256, 32),
            "384" => (HashAlgorithmName.SHA384, 48),
            _ => (HashAlgorithmName.SHA512, 64),
        };
        var rsaAlg = alg[0] is 'R' or 'P';
        if (rsaAlg != key.IsRsa)
        {
            throw VaultErrors.BadParameter($"Algorithm '{alg}' cannot be used with a key of type {key.Kty}.");
        }

        if (!rsaAlg)
        {
            var curve = alg switch { "ES256" => "P-256", "ES384" => "P-384", "ES512" => "P-521", _ => "P-256K" };
            if (key.Crv != curve)
            {
                throw VaultErrors.BadParameter($"Algorithm '{alg}' needs a key on curve {curve}; this key is on {key.Crv}.");
            }
        }

        if (digest.Length != length)
        {
            throw VaultErrors.BadParameter($"The digest is {digest.Length} bytes: {alg} signs a {length}-byte digest.");
        }

        return hash;
    }

    private static RSA RequireRsa(KeyMaterial key, string alg)
        => key.IsRsa ? CertificateFactory.ToRsa(key) : throw VaultErrors.BadParameter($"Algorithm '{alg}' cannot be used with a key of type {key.Kty}.");

    private static RSASignaturePadding RsaPadding(string alg) => alg[0] == 'P' ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;

    private static RSAEncryptionPadding EncryptionPadding(string alg) => alg switch
    {
        "RSA1_5" => RSAEncryptionPadding.Pkcs1,
        "RSA-OAEP" => RSAEncryptionPadding.OaepSHA1,
        _ => RSAEncryptionPadding.OaepSHA256,
    };

    private static int HashBytes(RSAEncryptionPadding padding) => padding == RSAEncryptionPadding.OaepSHA256 ? 32 : 20;

    private static T Run<T>(Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (CryptographicException e)
        {
            throw VaultErrors.BadParameter("The cryptographic operation failed: " + e.Message);
        }
    }
}
