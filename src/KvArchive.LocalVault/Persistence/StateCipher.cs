using System.Security.Cryptography;

namespace KvArchive.LocalVault.Persistence;

/// <summary>
/// AES-256-GCM with the data directory's key, so no secret value is ever written in clear. A sealed block is
/// <c>[nonce 12][tag 16][ciphertext]</c>; the caller's associated data (a file kind) is authenticated with it.
/// </summary>
public sealed class StateCipher(byte[] key)
{
    public const int Overhead = 28;

    /// <summary>Writes the sealed form of <paramref name="plaintext"/> into <paramref name="output"/> (plaintext length + <see cref="Overhead"/>).</summary>
    public void Seal(ReadOnlySpan<byte> plaintext, Span<byte> output, ReadOnlySpan<byte> associatedData)
    {
        var nonce = output[..12];
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(nonce, plaintext, output.Slice(Overhead, plaintext.Length), output.Slice(12, 16), associatedData);
    }

    /// <summary>The plaintext of a sealed block; throws <see cref="CryptographicException"/> when it was changed or torn.</summary>
    public byte[] Open(ReadOnlySpan<byte> sealedBlock, ReadOnlySpan<byte> associatedData)
    {
        if (sealedBlock.Length < Overhead)
        {
            throw new CryptographicException("The block is too short.");
        }

        var plaintext = new byte[sealedBlock.Length - Overhead];
        using var aes = new AesGcm(key, 16);
        aes.Decrypt(sealedBlock[..12], sealedBlock[Overhead..], sealedBlock.Slice(12, 16), plaintext, associatedData);
        return plaintext;
    }
}
