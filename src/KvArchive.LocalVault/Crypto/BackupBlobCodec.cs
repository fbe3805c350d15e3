using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using KvArchive.LocalVault.Http;

namespace KvArchive.LocalVault.Crypto;

/// <summary>
/// Backup blobs framed like the service's: one length byte, the ASCII tag, then the payload. The payload is
/// AES-256-GCM encrypted with a key derived from the geography, so only a LocalVault of the same geography
/// restores it (in any process, across restarts). Layout after the tag:
/// <c>[format=1][geography length][geography][nonce 12][tag 16][ciphertext]</c>; everything before the nonce is
/// authenticated data. The whole blob is unpadded base64url.
/// </summary>
public static class BackupBlobCodec
{
    public const string SecretTag = "AzureKeyVaultSecretBackupV1.microsoft.com";
    public const string KeyTag = "AzureKeyVaultKeyBackupV1.microsoft.com";

    private const byte Format = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] MasterSecret = Encoding.ASCII.GetBytes("KvArchive.LocalVault backup blob key, v1");

    public static string Encode(string frameTag, string geography, ReadOnlySpan<byte> plaintext)
    {
        var tag = Encoding.ASCII.GetBytes(frameTag);
        var geo = Encoding.UTF8.GetBytes(geography.ToLowerInvariant());
        var headerLength = 1 + tag.Length + 2 + geo.Length;
        var blob = new byte[headerLength + NonceSize + TagSize + plaintext.Length];
        blob[0] = (byte)tag.Length;
        tag.CopyTo(blob, 1);
        blob[1 + tag.Length] = Format;
        blob[2 + tag.Length] = (byte)geo.Length;
        geo.CopyTo(blob, 3 + tag.Length);
        var nonce = blob.AsSpan(headerLength, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(DeriveKey(geo, tag), TagSize);
        aes.Encrypt(nonce, plaintext, blob.AsSpan(headerLength + NonceSize + TagSize), blob.AsSpan(headerLength + NonceSize, TagSize), blob.AsSpan(0, headerLength));
        return Base64Url.EncodeToString(blob);
    }

    /// <summary>The plaintext of a blob; 400 "Malformed backup blob" if corrupt, 400 BadParameter if from another geography.</summary>
    public static byte[] Decode(string? value, string frameTag, string geography)
    {
        var blob = DecodeBase64(value) ?? throw VaultErrors.MalformedBackup();
        var tag = Encoding.ASCII.GetBytes(frameTag);
        if (blob.Length < 1 + tag.Length + 2 || blob[0] != tag.Length || !blob.AsSpan(1, tag.Length).SequenceEqual(tag) || blob[1 + tag.Length] != Format)
        {
            throw VaultErrors.MalformedBackup();
        }

        int geoLength = blob[2 + tag.Length];
        var headerLength = 3 + tag.Length + geoLength;
        if (blob.Length < headerLength + NonceSize + TagSize)
        {
            throw VaultErrors.MalformedBackup();
        }

        var geo = blob.AsSpan(3 + tag.Length, geoLength).ToArray();
        var ours = Encoding.UTF8.GetBytes(geography.ToLowerInvariant());
        if (!geo.AsSpan().SequenceEqual(ours))
        {
            var theirs = Encoding.UTF8.GetString(geo);
            throw VaultErrors.BadParameter($"The backup blob was created in geography '{theirs}' and cannot be restored in this vault's geography '{geography}'. A backup restores only within the same Azure subscription and geography.");
        }

        var plaintext = new byte[blob.Length - headerLength - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(DeriveKey(geo, tag), TagSize);
            aes.Decrypt(blob.AsSpan(headerLength, NonceSize), blob.AsSpan(headerLength + NonceSize + TagSize), blob.AsSpan(headerLength + NonceSize, TagSize), plaintext, blob.AsSpan(0, headerLength));
        }
        catch (CryptographicException)
        {
            throw VaultErrors.MalformedBackup();
        }

        return plaintext;
    }

    private static byte[]? DecodeBase64(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        try
        {
            // The SDKs send base64url; accept standard base64 too.
            var normalized = value.Trim().TrimEnd('=').Replace('+', '-').Replace('/', '_');
            return Base64Url.DecodeFromChars(normalized);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static byte[] DeriveKey(byte[] geography, byte[] tag) => HKDF.DeriveKey(HashAlgorithmName.SHA256, MasterSecret, 32, geography, tag);
}
