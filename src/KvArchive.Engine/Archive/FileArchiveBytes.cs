using Microsoft.Win32.SafeHandles;

namespace KvArchive.Engine.Archive;

/// <summary>An archive in a local file, read with positional reads.</summary>
internal sealed class FileArchiveBytes(SafeFileHandle file) : ArchiveBytes
{
    public override long Length { get; } = RandomAccess.GetLength(file);

    public override int Read(Span<byte> buffer, long offset) => RandomAccess.Read(file, buffer, offset);

    protected override void Dispose(bool disposing) => file.Dispose();
}
