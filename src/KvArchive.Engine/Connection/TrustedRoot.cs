using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Connection;

/// <summary>Loads the extra root a user names for LocalVault (option, else KVARCHIVE_TRUSTED_CERTIFICATE).</summary>
internal static class TrustedRoot
{
    /// <summary>The environment variable naming a PEM certificate to trust for loopback vaults.</summary>
    public const string EnvironmentVariable = "KVARCHIVE_TRUSTED_CERTIFICATE";

    /// <summary>
    /// The extra root for a vault, or null. Only loopback vaults get one: a real vault is checked against the system
    /// store alone, so a stray environment variable can never widen trust for it.
    /// </summary>
    public static X509Certificate2? Load(Uri vaultUri, string? explicitPath)
    {
        if (!LoopbackHost.IsLoopback(vaultUri.Host))
        {
            return null;
        }

        var fromOption = !string.IsNullOrWhiteSpace(explicitPath);
        var path = fromOption ? explicitPath : Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        var source = fromOption ? "the connection options" : "$env:" + EnvironmentVariable;
        try
        {
            var text = File.ReadAllText(path);
            return text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
                ? X509Certificate2.CreateFromPem(text)
                : new X509Certificate2(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new KvException(
                KvErrorKind.InvalidArgument,
                KvErrorIds.InvalidArgument,
                $"The certificate to trust for {vaultUri.Host} ('{path}', from {source}) could not be read: {e.Message}",
                e);
        }
    }
}
