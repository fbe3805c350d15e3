using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace KvArchive.Engine.Connection;

/// <summary>
/// Decides whether a server's TLS certificate is trusted. The system's verdict stands for every host; only for a
/// loopback host may a chain that the system rejects be accepted, and only if it ends in the one extra root the
/// user named (LocalVault's certificate). Validation is never switched off, and the host name must always match.
/// </summary>
internal static class ServerCertificatePolicy
{
    /// <summary>Whether to accept the certificate <paramref name="certificate"/> presented by <paramref name="host"/>.</summary>
    public static bool IsTrusted(string host, X509Certificate? certificate, X509Chain? presentedChain, SslPolicyErrors errors, X509Certificate2? extraRoot)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        // Name mismatch and a missing certificate are never forgiven; only an untrusted chain may be.
        if (extraRoot is null || certificate is null || errors != SslPolicyErrors.RemoteCertificateChainErrors)
        {
            return false;
        }

        if (!LoopbackHost.IsLoopback(host))
        {
            return false;
        }

        using var leaf = new X509Certificate2(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(extraRoot);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presentedChain is not null)
        {
            foreach (var element in presentedChain.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(leaf);
    }
}
