using System.Security.Cryptography.X509Certificates;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Crypto;

/// <summary>A certificate with its private key, its chain, its key material, and the CSR it came from (if created).</summary>
public sealed record IssuedCertificate(X509Certificate2 Certificate, IReadOnlyList<X509Certificate2> Chain, KeyMaterial Key, string? Csr);
