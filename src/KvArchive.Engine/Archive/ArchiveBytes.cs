namespace KvArchive.Engine.Archive;

/// <summary>
/// The bytes of a finished archive, read at offsets: a local file (<see cref="FileArchiveBytes"/>) or a blob read
/// with ranged requests (<c>Storage/BlobArchiveBytes</c>). Everything the reader does goes through here, so opening
/// reads only the trailer and the manifest, and a restore only the entries it asks for. Thread-safe.
/// </summary>
internal abstract class ArchiveBytes : IDisposable
{
    /// <summary>The archive's length in bytes.</summary>
    public abstract long Length { get; }

    /// <summary>Reads up to <paramref name="buffer"/>'s length at <paramref name="offset"/>; fewer only at the end.</summary>
    public abstract int Read(Span<byte> buffer, long offset);

    /// <summary>
    /// Says that every byte is about to be read (a verification): a remote source fetches the whole archive once now,
    /// so that the hash pass and the entry checks after it do not each fetch it again. Nothing for a local file.
    /// </summary>
    public virtual void PrepareFullRead(CancellationToken cancellationToken)
    {
    }

    /// <summary>A read-only, seekable stream over the bytes (for the ZIP directory check); disposing it leaves the source open.</summary>
    public Stream OpenStream() => new ArchiveBytesStream(this);

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the source holds.</summary>
    protected abstract void Dispose(bool disposing);

    private sealed class ArchiveBytesStream(ArchiveBytes source) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => source.Length;

        public override long Position
        {
            get => _position;
            set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position >= source.Length)
            {
                return 0;
            }

            var n = source.Read(buffer[..(int)Math.Min(buffer.Length, source.Length - _position)], _position);
            _position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            Position = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => _position + offset,
                _ => source.Length + offset,
            };
            return _position;
        }

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
