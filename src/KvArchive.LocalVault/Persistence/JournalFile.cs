using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace KvArchive.LocalVault.Persistence;

/// <summary>
/// The journal's file format: <c>journal-{generation:D8}.lvj</c> starts with "LVJ1" and the generation (8 bytes,
/// little-endian); then frames <c>[length 4][nonce 12][tag 16][ciphertext]</c>, one per group commit, each the
/// encrypted JSON array of that commit's records, authenticated with the file header (a frame cannot move between
/// files). A frame that is cut short or does not authenticate ends the file: a write torn by a crash was never
/// confirmed to anyone.
/// </summary>
public static class JournalFile
{
    public const string Prefix = "journal-";
    public const string Extension = ".lvj";
    public const int HeaderLength = 12;
    private const int MaxFrameLength = 1 << 30;

    public static string NameOf(long generation) => Prefix + generation.ToString("D8", CultureInfo.InvariantCulture) + Extension;

    /// <summary>The journals of a directory with their generations, oldest first.</summary>
    public static IReadOnlyList<(long Generation, string Path)> List(string directory)
    {
        var found = new List<(long, string)>();
        foreach (var path in Directory.EnumerateFiles(directory, Prefix + "*" + Extension))
        {
            var name = Path.GetFileName(path);
            var digits = name[Prefix.Length..^Extension.Length];
            if (long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var generation))
            {
                found.Add((generation, path));
            }
        }

        found.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return found;
    }

    public static byte[] Header(long generation)
    {
        var header = new byte[HeaderLength];
        "LVJ1"u8.CopyTo(header);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(4), generation);
        return header;
    }

    /// <summary>One frame for a batch of records.</summary>
    public static byte[] Frame(IReadOnlyList<JournalRecord> records, StateCipher cipher, byte[] header)
    {
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(records);
        var frame = new byte[4 + StateCipher.Overhead + plaintext.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, StateCipher.Overhead + plaintext.Length);
        cipher.Seal(plaintext, frame.AsSpan(4), header);
        return frame;
    }

    /// <summary>
    /// Reads a journal's records, batch by batch, in order. Returns the bytes after the last whole frame that were
    /// ignored (a torn or damaged tail), 0 for a clean file.
    /// </summary>
    public static long Read(string path, StateCipher cipher, Action<List<JournalRecord>> onBatch)
    {
        var data = File.ReadAllBytes(path);
        if (data.Length < HeaderLength || !data.AsSpan(0, 4).SequenceEqual("LVJ1"u8))
        {
            return data.Length;
        }

        var header = data[..HeaderLength];
        var position = HeaderLength;
        while (position < data.Length)
        {
            if (data.Length - position < 4)
            {
                break;
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(position));
            if (length < StateCipher.Overhead || length > MaxFrameLength || length > data.Length - position - 4)
            {
                break;
            }

            List<JournalRecord>? records;
            try
            {
                records = JsonSerializer.Deserialize<List<JournalRecord>>(cipher.Open(data.AsSpan(position + 4, length), header));
            }
            catch (Exception e) when (e is CryptographicException or JsonException)
            {
                break;
            }

            if (records is null)
            {
                break;
            }

            onBatch(records);
            position += 4 + length;
        }

        return data.Length - position;
    }
}
