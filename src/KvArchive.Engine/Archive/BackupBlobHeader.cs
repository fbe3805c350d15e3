using System.Text;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Archive;

/// <summary>
/// What the first bytes of a Key Vault backup blob say: one length byte, then that many ASCII bytes naming the
/// kind (<c>AzureKeyVaultSecretBackupV1.microsoft.com</c>, <c>AzureKeyVaultKeyBackupV1.microsoft.com</c>), then the
/// encrypted payload. The service frames a certificate's backup with the key tag (the Azure SDK recordings show
/// it), so the header tells a secret from a key or certificate, never a key from a certificate.
/// </summary>
internal static class BackupBlobHeader
{
    public const string SecretTag = "AzureKeyVaultSecretBackupV1.microsoft.com";
    public const string KeyTag = "AzureKeyVaultKeyBackupV1.microsoft.com";

    /// <summary>The kinds a blob's header allows: Secret, or Key and Certificate; empty when it is not a backup blob.</summary>
    public static KvObjectType[] Kinds(ReadOnlySpan<byte> blob)
    {
        if (Has(blob, SecretTag))
        {
            return [KvObjectType.Secret];
        }

        return Has(blob, KeyTag) ? [KvObjectType.Key, KvObjectType.Certificate] : [];
    }

    /// <summary>
    /// The blob's bytes from a file's: the blob itself (what az, Az PowerShell and the portal write), or the same
    /// bytes as base64url or base64 text (the <c>value</c> of the service's answer, saved as it came). Null when
    /// neither starts with a known header.
    /// </summary>
    public static byte[]? FromFile(byte[] content)
    {
        if (Kinds(content).Length > 0)
        {
            return content;
        }

        // Base64 text of a blob starts with the encoding of its length byte and tag ("KUF6dXJl…", "JkF6dXJl…").
        if (content.Length < 64 || content.Length > int.MaxValue / 2)
        {
            return null;
        }

        var text = Encoding.ASCII.GetString(content).Trim().TrimEnd('=');
        if (text.Length == 0 || text.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '+' or '/')))
        {
            return null;
        }

        var normalized = text.Replace('-', '+').Replace('_', '/');
        normalized += new string('=', (4 - (normalized.Length % 4)) % 4);
        try
        {
            var decoded = Convert.FromBase64String(normalized);
            return Kinds(decoded).Length > 0 ? decoded : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static bool Has(ReadOnlySpan<byte> blob, string tag)
        => blob.Length > 1 + tag.Length && blob[0] == tag.Length && blob.Slice(1, tag.Length).SequenceEqual(Encoding.ASCII.GetBytes(tag));
}
