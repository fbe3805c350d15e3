using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace KvArchive.Engine.Tests.Archive;

/// <summary>The ways of damaging an archive that issue 11 lists, applied to a copy of a good archive.</summary>
internal static class ArchiveCorruption
{
    public static readonly string[] Kinds = ["central-directory-byte", "appended-entry", "removed-directory-record", "bad-whole-file-checksum"];

    /// <summary>Damages the archive at <paramref name="path"/> in place, the <paramref name="seed"/> choosing where.</summary>
    public static void Apply(string path, string kind, int seed = 0)
    {
        var random = new Random(seed);
        var bytes = File.ReadAllBytes(path);
        var (eocd, cdOffset, cdSize) = EndRecord(bytes);
        switch (kind)
        {
            case "central-directory-byte":
                bytes[cdOffset + random.Next((int)cdSize)] ^= (byte)(1 << random.Next(8));
                File.WriteAllBytes(path, bytes);
                break;

            case "appended-entry":
                using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
                {
                    using var stream = zip.CreateEntry($"secrets/extra{seed}.blob", CompressionLevel.NoCompression).Open();
                    stream.Write(Encoding.UTF8.GetBytes("not a backup"));
                }

                break;

            case "removed-directory-record":
            {
                // Central-directory records are 46 bytes plus name, extra and comment; drop the n-th.
                var records = new List<(int Start, int Length)>();
                for (var at = (int)cdOffset; at < cdOffset + cdSize;)
                {
                    var length = 46 + BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at + 28)) + BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at + 30)) + BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at + 32));
                    records.Add((at, length));
                    at += length;
                }

                var (start, size) = records[1 + random.Next(records.Count - 1)];
                var output = new List<byte>(bytes.Length);
                output.AddRange(bytes.AsSpan(0, start).ToArray());
                output.AddRange(bytes.AsSpan(start + size).ToArray());
                var result = output.ToArray();
                var end = eocd - size;
                var count = (ushort)(records.Count - 1);
                BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(end + 8), count);
                BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(end + 10), count);
                BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(end + 12), (uint)(cdSize - size));
                File.WriteAllBytes(path, result);
                break;
            }

            case "bad-whole-file-checksum":
            {
                var text = Encoding.ASCII.GetString(bytes, eocd + 22, bytes.Length - eocd - 22);
                var at = text.LastIndexOf("\"sha256\":\"", StringComparison.Ordinal) + 10;
                var position = eocd + 22 + at + random.Next(64);
                bytes[position] = bytes[position] == (byte)'0' ? (byte)'1' : (byte)'0';
                File.WriteAllBytes(path, bytes);
                break;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    private static (int Eocd, long CdOffset, long CdSize) EndRecord(byte[] bytes)
    {
        for (var i = bytes.Length - 22; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i)) == 0x06054b50 && i + 22 + BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i + 20)) == bytes.Length)
            {
                return (i, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i + 16)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i + 12)));
            }
        }

        throw new InvalidDataException("no end record");
    }
}
