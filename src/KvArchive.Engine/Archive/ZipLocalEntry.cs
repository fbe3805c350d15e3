using System.Buffers.Binary;
using System.Text;

namespace KvArchive.Engine.Archive;

/// <summary>
/// Reads one stored ZIP entry straight from its local file header, so that the archive's entries can be
/// read (and checked) at the offsets the manifest records, without trusting the central directory and from
/// several threads at once (positional reads).
/// </summary>
internal readonly record struct ZipLocalEntry(string Name, long DataOffset, long Length)
{
    /// <summary>
    /// Parses the local header at <paramref name="offset"/>; null with a reason when it is not a stored entry
    /// named <paramref name="expectedName"/> of <paramref name="expectedLength"/> bytes (-1: the length the
    /// local header states).
    /// </summary>
    public static ZipLocalEntry? TryRead(ArchiveBytes file, long fileLength, long offset, string expectedName, long expectedLength, out string? problem)
    {
        problem = null;
        if (offset < 0 || offset + ArchiveFormat.LocalHeaderFixedSize > fileLength)
        {
            problem = $"its offset {offset} is outside the file";
            return null;
        }

        Span<byte> fixedPart = stackalloc byte[ArchiveFormat.LocalHeaderFixedSize];
        if (file.Read(fixedPart, offset) != fixedPart.Length)
        {
            problem = "its header is cut short";
            return null;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(fixedPart) != ArchiveFormat.LocalHeaderSignature)
        {
            problem = $"no ZIP entry header at offset {offset}";
            return null;
        }

        var method = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[8..]);
        var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[26..]);
        var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[28..]);
        if (method != 0)
        {
            problem = $"it is compressed (method {method}); KvArchive stores every entry uncompressed";
            return null;
        }

        var nameBytes = new byte[nameLength];
        if (offset + ArchiveFormat.LocalHeaderFixedSize + nameLength > fileLength
            || file.Read(nameBytes, offset + ArchiveFormat.LocalHeaderFixedSize) != nameLength)
        {
            problem = "its name is cut short";
            return null;
        }

        var name = Encoding.UTF8.GetString(nameBytes);
        if (!string.Equals(name, expectedName, StringComparison.Ordinal))
        {
            problem = $"the ZIP entry at offset {offset} is named '{name}', not '{expectedName}'";
            return null;
        }

        if (expectedLength < 0)
        {
            expectedLength = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart[18..]);
        }

        var dataOffset = offset + ArchiveFormat.LocalHeaderFixedSize + nameLength + extraLength;
        if (dataOffset + expectedLength > fileLength)
        {
            problem = "its data is cut short (the file is truncated)";
            return null;
        }

        return new ZipLocalEntry(name, dataOffset, expectedLength);
    }

    /// <summary>Reads the entry's bytes.</summary>
    public byte[] ReadAll(ArchiveBytes file)
    {
        var data = new byte[Length];
        var done = 0;
        while (done < data.Length)
        {
            var n = file.Read(data.AsSpan(done), DataOffset + done);
            if (n == 0)
            {
                throw new EndOfStreamException();
            }

            done += n;
        }

        return data;
    }
}
