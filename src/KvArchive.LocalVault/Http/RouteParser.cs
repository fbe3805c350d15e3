using System.Collections.Frozen;

namespace KvArchive.LocalVault.Http;

/// <summary>
/// Maps method and path to a <see cref="VaultRoute"/>. Paths are case-insensitive; a trailing slash means "latest";
/// the words after a name (versions, backup, create, …) are routes, never versions.
/// </summary>
public static class RouteParser
{
    private static readonly FrozenSet<string> RouteWords = new[]
    {
        "versions", "backup", "restore", "recover", "create", "import", "pending", "policy", "rotate", "rotationpolicy",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static VaultRoute Parse(string method, string path)
    {
        var trimmed = path.Length > 1 && path[^1] == '/' ? path[1..^1] : path.TrimStart('/');
        var seg = trimmed.Split('/');

        // The JavaScript CryptographyClient built from a versionless key id calls /keys/{name}//{operation}.
        var versionless = seg.Length == 4 && seg[2].Length == 0 && seg[1].Length > 0 && seg[3].Length > 0 && Is(seg[0], "keys");
        if (trimmed.Length == 0 || (!versionless && Array.Exists(seg, s => s.Length == 0)))
        {
            throw VaultErrors.RouteNotFound(path);
        }

        var route = seg[0].ToLowerInvariant() switch
        {
            "secrets" => Secrets(method, seg),
            "keys" => Keys(method, seg),
            "certificates" => Certificates(method, seg),
            "deletedsecrets" => Deleted(method, seg, VaultOperation.DeletedSecretList, VaultOperation.DeletedSecretGet, VaultOperation.DeletedSecretPurge, VaultOperation.DeletedSecretRecover),
            "deletedkeys" => Deleted(method, seg, VaultOperation.DeletedKeyList, VaultOperation.DeletedKeyGet, VaultOperation.DeletedKeyPurge, VaultOperation.DeletedKeyRecover),
            "deletedcertificates" => Deleted(method, seg, VaultOperation.DeletedCertificateList, VaultOperation.DeletedCertificateGet, VaultOperation.DeletedCertificatePurge, VaultOperation.DeletedCertificateRecover),
            "rng" when seg.Length == 1 => Pick(method, "POST", new VaultRoute(VaultOperation.RandomBytes, null, null)),
            _ => null,
        };

        return route ?? throw (Allowed(seg) ? VaultErrors.MethodNotAllowed(method, path) : VaultErrors.RouteNotFound(path));
    }

    private static VaultRoute? Secrets(string method, string[] seg)
    {
        switch (seg.Length)
        {
            case 1:
                return Pick(method, "GET", new(VaultOperation.SecretList, null, null));
            case 2:
                var name = seg[1];
                return method switch
                {
                    "GET" => new(VaultOperation.SecretGet, name, null),
                    "PUT" => new(VaultOperation.SecretSet, name, null),
                    "PATCH" => new(VaultOperation.SecretUpdate, name, null),
                    "DELETE" => new(VaultOperation.SecretDelete, name, null),
                    "POST" when Is(name, "restore") => new(VaultOperation.SecretRestore, null, null),
                    _ => null,
                };
            case 3:
                var word = seg[2];
                if (Is(word, "versions"))
                {
                    return Pick(method, "GET", new(VaultOperation.SecretVersions, seg[1], null));
                }

                if (Is(word, "backup"))
                {
                    return Pick(method, "POST", new(VaultOperation.SecretBackup, seg[1], null));
                }

                if (RouteWords.Contains(word))
                {
                    return null;
                }

                return method switch
                {
                    "GET" => new(VaultOperation.SecretGet, seg[1], word),
                    "PATCH" => new(VaultOperation.SecretUpdate, seg[1], word),
                    _ => null,
                };
            default:
                return null;
        }
    }

    private static VaultRoute? Keys(string method, string[] seg)
    {
        switch (seg.Length)
        {
            case 1:
                return Pick(method, "GET", new(VaultOperation.KeyList, null, null));
            case 2:
                var name = seg[1];
                return method switch
                {
                    "GET" => new(VaultOperation.KeyGet, name, null),
                    "PUT" => new(VaultOperation.KeyImport, name, null),
                    "PATCH" => new(VaultOperation.KeyUpdate, name, null),
                    "DELETE" => new(VaultOperation.KeyDelete, name, null),
                    "POST" when Is(name, "restore") => new(VaultOperation.KeyRestore, null, null),
                    _ => null,
                };
            case 3:
                var word = seg[2];
                switch (word.ToLowerInvariant())
                {
                    case "versions":
                        return Pick(method, "GET", new(VaultOperation.KeyVersions, seg[1], null));
                    case "backup":
                        return Pick(method, "POST", new(VaultOperation.KeyBackup, seg[1], null));
                    case "create":
                        return Pick(method, "POST", new(VaultOperation.KeyCreate, seg[1], null));
                    case "rotate":
                        return Pick(method, "POST", new(VaultOperation.KeyRotate, seg[1], null));
                    case "rotationpolicy":
                        return method switch
                        {
                            "GET" => new(VaultOperation.KeyRotationPolicyGet, seg[1], null),
                            "PUT" => new(VaultOperation.KeyRotationPolicySet, seg[1], null),
                            _ => null,
                        };
                }

                if (RouteWords.Contains(word))
                {
                    return null;
                }

                if (CryptographyOperation(word) is { } latestOp)
                {
                    return Pick(method, "POST", new(latestOp, seg[1], null));
                }

                return method switch
                {
                    "GET" => new(VaultOperation.KeyGet, seg[1], word),
                    "PATCH" => new(VaultOperation.KeyUpdate, seg[1], word),
                    _ => null,
                };
            case 4:
                if (CryptographyOperation(seg[3]) is { } op)
                {
                    return Pick(method, "POST", new(op, seg[1], seg[2].Length == 0 ? null : seg[2]));
                }

                return method is "POST" or "GET" ? new(VaultOperation.KeyCryptography, seg[1], seg[2]) : null;
            default:
                return null;
        }
    }

    private static VaultRoute? Certificates(string method, string[] seg)
    {
        switch (seg.Length)
        {
            case 1:
                return Pick(method, "GET", new(VaultOperation.CertificateList, null, null));
            case 2:
                var name = seg[1];
                if (Is(name, "contacts"))
                {
                    return method switch
                    {
                        "GET" => new(VaultOperation.CertificateContactsGet, null, null),
                        "PUT" => new(VaultOperation.CertificateContactsSet, null, null),
                        "DELETE" => new(VaultOperation.CertificateContactsDelete, null, null),
                        _ => null,
                    };
                }

                if (Is(name, "issuers"))
                {
                    return Pick(method, "GET", new(VaultOperation.CertificateIssuerList, null, null));
                }

                return method switch
                {
                    "GET" => new(VaultOperation.CertificateGet, name, null),
                    "PATCH" => new(VaultOperation.CertificateUpdate, name, null),
                    "DELETE" => new(VaultOperation.CertificateDelete, name, null),
                    "POST" when Is(name, "restore") => new(VaultOperation.CertificateRestore, null, null),
                    _ => null,
                };
            case 3:
                if (Is(seg[1], "issuers"))
                {
                    return method switch
                    {
                        "GET" => new(VaultOperation.CertificateIssuerGet, seg[2], null),
                        "PUT" or "PATCH" => new(VaultOperation.CertificateIssuerSet, seg[2], null),
                        "DELETE" => new(VaultOperation.CertificateIssuerDelete, seg[2], null),
                        _ => null,
                    };
                }

                var word = seg[2];
                switch (word.ToLowerInvariant())
                {
                    case "versions":
                        return Pick(method, "GET", new(VaultOperation.CertificateVersions, seg[1], null));
                    case "backup":
                        return Pick(method, "POST", new(VaultOperation.CertificateBackup, seg[1], null));
                    case "create":
                        return Pick(method, "POST", new(VaultOperation.CertificateCreate, seg[1], null));
                    case "import":
                        return Pick(method, "POST", new(VaultOperation.CertificateImport, seg[1], null));
                    case "pending":
                        return method switch
                        {
                            "GET" => new(VaultOperation.CertificatePendingGet, seg[1], null),
                            "PATCH" => new(VaultOperation.CertificatePendingUpdate, seg[1], null),
                            "DELETE" => new(VaultOperation.CertificatePendingDelete, seg[1], null),
                            _ => null,
                        };
                    case "policy":
                        return method switch
                        {
                            "GET" => new(VaultOperation.CertificatePolicyGet, seg[1], null),
                            "PATCH" => new(VaultOperation.CertificatePolicyUpdate, seg[1], null),
                            _ => null,
                        };
                }

                if (RouteWords.Contains(word))
                {
                    return null;
                }

                return method switch
                {
                    "GET" => new(VaultOperation.CertificateGet, seg[1], word),
                    "PATCH" => new(VaultOperation.CertificateUpdate, seg[1], word),
                    _ => null,
                };
            case 4 when Is(seg[2], "pending") && Is(seg[3], "merge"):
                return Pick(method, "POST", new(VaultOperation.CertificatePendingMerge, seg[1], null));
            default:
                return null;
        }
    }

    private static VaultRoute? Deleted(string method, string[] seg, VaultOperation list, VaultOperation get, VaultOperation purge, VaultOperation recover)
    {
        return seg.Length switch
        {
            1 => Pick(method, "GET", new(list, null, null)),
            2 => method switch
            {
                "GET" => new(get, seg[1], null),
                "DELETE" => new(purge, seg[1], null),
                _ => null,
            },
            3 when Is(seg[2], "recover") => Pick(method, "POST", new(recover, seg[1], null)),
            _ => null,
        };
    }

    /// <summary>The operation of a cryptography path word (sign, verify, encrypt, decrypt, wrapkey, unwrapkey), or null.</summary>
    private static VaultOperation? CryptographyOperation(string word) => word.ToLowerInvariant() switch
    {
        "sign" => VaultOperation.KeySign,
        "verify" => VaultOperation.KeyVerify,
        "encrypt" => VaultOperation.KeyEncrypt,
        "decrypt" => VaultOperation.KeyDecrypt,
        "wrapkey" => VaultOperation.KeyWrap,
        "unwrapkey" => VaultOperation.KeyUnwrap,
        _ => null,
    };

    private static VaultRoute? Pick(string method, string expected, VaultRoute route) => method == expected ? route : null;

    private static bool Is(string segment, string word) => segment.Equals(word, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the path exists for some method (so a miss is a 405 rather than a 404).</summary>
    private static bool Allowed(string[] seg)
    {
        foreach (var m in new[] { "GET", "PUT", "POST", "PATCH", "DELETE" })
        {
            try
            {
                var r = seg[0].ToLowerInvariant() switch
                {
                    "secrets" => Secrets(m, seg),
                    "keys" => Keys(m, seg),
                    "certificates" => Certificates(m, seg),
                    "deletedsecrets" or "deletedkeys" or "deletedcertificates" => Deleted(m, seg, 0, 0, 0, 0),
                    "rng" => seg.Length == 1 ? new VaultRoute(VaultOperation.RandomBytes, null, null) : null,
                    _ => null,
                };
                if (r is not null)
                {
                    return true;
                }
            }
            catch (VaultErrorException)
            {
            }
        }

        return false;
    }
}
