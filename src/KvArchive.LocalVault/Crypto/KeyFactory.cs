using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using KvArchive.LocalVault.Http;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Crypto;

/// <summary>Creates, imports and converts RSA and EC key material (JWK parameters as unpadded base64url).</summary>
public static class KeyFactory
{
    public static readonly IReadOnlyList<string> RsaOperations = ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"];
    public static readonly IReadOnlyList<string> EcOperations = ["sign", "verify"];

    private static readonly HashSet<string> KnownOperations = new(StringComparer.Ordinal)
    {
        "encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey", "import", "export",
    };

    public static bool IsSupportedRsaSize(int size) => size is 2048 or 3072 or 4096;

    public static string NormalizeCurve(string? crv) => crv switch
    {
        null or "" or "P-256" => "P-256",
        "P-384" or "P-521" or "P-256K" => crv,
        _ => throw VaultErrors.BadParameter($"Unsupported curve '{crv}'. Use P-256, P-384, P-521 or P-256K."),
    };

    public static KeyMaterial CreateRsa(int size, string kty = "RSA")
    {
        if (!IsSupportedRsaSize(size))
        {
            throw VaultErrors.BadParameter($"Unsupported RSA key size {size}. Use 2048, 3072 or 4096.");
        }

        using var rsa = RSA.Create(size);
        return FromRsa(rsa.ExportParameters(true), kty);
    }

    public static KeyMaterial CreateEc(string crv, string kty = "EC")
    {
        crv = NormalizeCurve(crv);
        using var ec = ECDsa.Create(Curve(crv));
        return FromEc(ec.ExportParameters(true), crv, kty);
    }

    public static KeyMaterial FromRsa(RSAParameters p, string kty = "RSA") => new()
    {
        Kty = kty,
        N = B64(p.Modulus),
        E = B64(p.Exponent),
        D = B64(p.D),
        P = B64(p.P),
        Q = B64(p.Q),
        DP = B64(p.DP),
        DQ = B64(p.DQ),
        QI = B64(p.InverseQ),
        KeySize = p.Modulus!.Length * 8,
    };

    public static KeyMaterial FromEc(ECParameters p, string crv, string kty = "EC") => new()
    {
        Kty = kty,
        Crv = crv,
        X = B64(p.Q.X),
        Y = B64(p.Q.Y),
        D = B64(p.D),
    };

    /// <summary>The key material of a certificate's private key.</summary>
    public static KeyMaterial FromCertificate(X509Certificate2 certificate)
    {
        if (certificate.GetRSAPrivateKey() is { } rsa)
        {
            using (rsa)
            {
                return FromRsa(rsa.ExportParameters(true));
            }
        }

        if (certificate.GetECDsaPrivateKey() is { } ec)
        {
            using (ec)
            {
                var p = ec.ExportParameters(true);
                return FromEc(p, CurveName(p.Curve));
            }
        }

        throw VaultErrors.BadParameter("The certificate's key type is not supported: use RSA or EC.");
    }

    /// <summary>Imports a JWK (with its private part), validating it; 400 if it is not a usable RSA or EC key.</summary>
    public static KeyMaterial Import(JsonElement jwk)
    {
        var kty = JsonInput.String(jwk, "kty") ?? throw VaultErrors.BadParameter("The key's 'kty' is required.");
        try
        {
            switch (kty)
            {
                case "RSA" or "RSA-HSM":
                {
                    var p = new RSAParameters
                    {
                        Modulus = Bytes(jwk, "n", true),
                        Exponent = Bytes(jwk, "e", true),
                        D = Bytes(jwk, "d", true),
                        P = Bytes(jwk, "p", true),
                        Q = Bytes(jwk, "q", true),
                        DP = Bytes(jwk, "dp", true),
                        DQ = Bytes(jwk, "dq", true),
                        InverseQ = Bytes(jwk, "qi", true),
                    };
                    using var rsa = RSA.Create();
                    rsa.ImportParameters(p);
                    var material = FromRsa(rsa.ExportParameters(true), kty);
                    return IsSupportedRsaSize(material.KeySize) || material.KeySize is 1024
                        ? material
                        : throw VaultErrors.BadParameter($"Unsupported RSA key size {material.KeySize}.");
                }

                case "EC" or "EC-HSM":
                {
                    var crv = NormalizeCurve(JsonInput.String(jwk, "crv") ?? throw VaultErrors.BadParameter("The key's 'crv' is required."));
                    var size = CoordinateSize(crv);
                    var p = new ECParameters
                    {
                        Curve = Curve(crv),
                        Q = new ECPoint { X = Pad(Bytes(jwk, "x", true)!, size), Y = Pad(Bytes(jwk, "y", true)!, size) },
                        D = Pad(Bytes(jwk, "d", true)!, size),
                    };
                    using var ec = ECDsa.Create();
                    ec.ImportParameters(p);
                    return FromEc(ec.ExportParameters(true), crv, kty);
                }

                default:
                    throw VaultErrors.BadParameter($"Unsupported key type '{kty}'. Use RSA, RSA-HSM, EC or EC-HSM.");
            }
        }
        catch (CryptographicException e)
        {
            throw VaultErrors.BadParameter("The key is not a valid " + kty + " key: " + e.Message);
        }
    }

    /// <summary>key_ops of a request: known names only; null when absent.</summary>
    public static IReadOnlyList<string>? ReadOperations(JsonElement body, string property = "key_ops")
    {
        var ops = JsonInput.StringArray(body, property);
        if (ops is not null)
        {
            foreach (var op in ops)
            {
                if (!KnownOperations.Contains(op))
                {
                    throw VaultErrors.BadParameter($"Unknown key operation '{op}'.");
                }
            }
        }

        return ops;
    }

    public static ECCurve Curve(string crv) => crv switch
    {
        "P-256" => ECCurve.NamedCurves.nistP256,
        "P-384" => ECCurve.NamedCurves.nistP384,
        "P-521" => ECCurve.NamedCurves.nistP521,
        "P-256K" => ECCurve.CreateFromFriendlyName("secP256k1"),
        _ => throw VaultErrors.BadParameter($"Unsupported curve '{crv}'."),
    };

    public static int CoordinateSize(string crv) => crv switch
    {
        "P-384" => 48,
        "P-521" => 66,
        _ => 32,
    };

    private static string CurveName(ECCurve curve)
    {
        var oid = curve.Oid?.Value;
        return oid switch
        {
            "1.2.840.10045.3.1.7" => "P-256",
            "1.3.132.0.34" => "P-384",
            "1.3.132.0.35" => "P-521",
            "1.3.132.0.10" => "P-256K",
            _ => curve.Oid?.FriendlyName switch
            {
                "nistP256" or "ECDSA_P256" => "P-256",
                "nistP384" or "ECDSA_P384" => "P-384",
                "nistP521" or "ECDSA_P521" => "P-521",
                _ => throw VaultErrors.BadParameter("The certificate's EC curve is not supported."),
            },
        };
    }

    private static byte[]? Bytes(JsonElement jwk, string name, bool required)
    {
        var s = JsonInput.String(jwk, name);
        if (s is null)
        {
            return required ? throw VaultErrors.BadParameter($"The key's '{name}' is required (import needs the private key).") : null;
        }

        try
        {
            return Base64Url.DecodeFromChars(s.TrimEnd('=').Replace('+', '-').Replace('/', '_'));
        }
        catch (FormatException)
        {
            throw VaultErrors.BadParameter($"The key's '{name}' is not base64url.");
        }
    }

    private static byte[] Pad(byte[] value, int size)
    {
        if (value.Length >= size)
        {
            return value;
        }

        var padded = new byte[size];
        value.CopyTo(padded, size - value.Length);
        return padded;
    }

    private static string? B64(byte[]? bytes) => bytes is null ? null : Base64Url.EncodeToString(bytes);
}
