using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;
using Microsoft.Win32.SafeHandles;

namespace KvArchive.Engine.Storage;

/// <summary>
/// An archive in a blob, read with ranged GETs of <see cref="ArchiveStorageOptions.ChunkSize"/> bytes through a small
/// cache (<see cref="ArchiveStorageOptions.CachedChunks"/> chunks, least recently used dropped), so that opening reads
/// the trailer and the manifest and a restore reads only its entries. Every read is conditional on the ETag seen at
/// open: a blob replaced while it is read is an error, never a mix of two archives. A verification
/// (<see cref="PrepareFullRead"/>) downloads the blob once into a temporary file and reads that.
/// </summary>
internal sealed class BlobArchiveBytes : ArchiveBytes
{
    private readonly BlockBlobClient _client;
    private readonly string _display;
    private readonly ETag _etag;
    private readonly int _chunkSize;
    private readonly int _cachedChunks;
    private readonly LinkedList<(long Index, byte[] Data)> _cache = new();
    private readonly object _gate = new();
    private SafeFileHandle? _local;

    private BlobArchiveBytes(BlockBlobClient client, string display, long length, ETag etag, ArchiveStorageOptions options)
    {
        _client = client;
        _display = display;
        Length = length;
        _etag = etag;
        _chunkSize = Math.Max(64 * 1024, options.ChunkSize);
        _cachedChunks = Math.Max(1, options.CachedChunks);
    }

    public override long Length { get; }

    /// <summary>Ranged GETs sent so far (tests and the bench read it).</summary>
    public int RangeRequests { get; private set; }

    /// <summary>Opens the blob (one HEAD: its length and ETag).</summary>
    public static BlobArchiveBytes Open(BlobArchiveAddress address, ArchiveStorageOptions options)
    {
        var client = BlobClients.Create(address, options);
        try
        {
            var properties = client.GetProperties().Value;
            return new BlobArchiveBytes(client, address.DisplayPath, properties.ContentLength, properties.ETag, options);
        }
        catch (Exception e) when (e is RequestFailedException or Azure.Identity.AuthenticationFailedException or IOException or HttpRequestException)
        {
            throw BlobClients.Map(e, address.DisplayPath, "reading");
        }
    }

    public override int Read(Span<byte> buffer, long offset)
    {
        if (offset >= Length || buffer.IsEmpty)
        {
            return 0;
        }

        if (Volatile.Read(ref _local) is { } local)
        {
            return RandomAccess.Read(local, buffer, offset);
        }

        var total = (int)Math.Min(buffer.Length, Length - offset);
        var done = 0;
        while (done < total)
        {
            var at = offset + done;
            var index = at / _chunkSize;
            var chunk = Chunk(index);
            var within = (int)(at - (index * _chunkSize));
            var n = Math.Min(total - done, chunk.Length - within);
            chunk.AsSpan(within, n).CopyTo(buffer[done..]);
            done += n;
        }

        return total;
    }

    public override void PrepareFullRead(CancellationToken cancellationToken)
    {
        if (_local is not null)
        {
            return;
        }

        var path = Path.Combine(Path.GetTempPath(), $".kvarchive-{Guid.NewGuid():N}.download");
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        try
        {
            _client.DownloadTo(stream, new BlobDownloadToOptions { Conditions = new BlobRequestConditions { IfMatch = _etag } }, cancellationToken);
            stream.Flush();
            if (stream.Length != Length)
            {
                throw new IOException($"the download has {stream.Length} bytes, the blob {Length}");
            }
        }
        catch (Exception e) when (e is RequestFailedException or IOException or HttpRequestException)
        {
            stream.Dispose();
            throw Failed(e);
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        lock (_gate)
        {
            // The stream's handle stays open (and the file with it) until this source is disposed.
            _localStream = stream;
            Volatile.Write(ref _local, stream.SafeFileHandle);
            _cache.Clear();
        }
    }

    private FileStream? _localStream;

    protected override void Dispose(bool disposing)
    {
        lock (_gate)
        {
            _local = null;
            _localStream?.Dispose();
            _localStream = null;
            _cache.Clear();
        }
    }

    private byte[] Chunk(long index)
    {
        lock (_gate)
        {
            for (var node = _cache.First; node is not null; node = node.Next)
            {
                if (node.Value.Index == index)
                {
                    _cache.Remove(node);
                    _cache.AddFirst(node);
                    return node.Value.Data;
                }
            }
        }

        var start = index * _chunkSize;
        var length = (int)Math.Min(_chunkSize, Length - start);
        var data = new byte[length];
        try
        {
            var response = _client.DownloadStreaming(new BlobDownloadOptions
            {
                Range = new HttpRange(start, length),
                Conditions = new BlobRequestConditions { IfMatch = _etag },
            });
            using var content = response.Value.Content;
            content.ReadExactly(data);
        }
        catch (Exception e) when (e is RequestFailedException or IOException or HttpRequestException)
        {
            throw Failed(e);
        }

        lock (_gate)
        {
            RangeRequests++;
            _cache.AddFirst((index, data));
            while (_cache.Count > _cachedChunks)
            {
                _cache.RemoveLast();
            }
        }

        return data;
    }

    private KvException Failed(Exception e) => e is RequestFailedException { Status: 412 }
        ? new KvException(KvErrorKind.InvalidData, KvErrorIds.ArchiveInvalid, $"The archive '{_display}' was replaced while it was read (its ETag changed); run the command again to read the new one.", e)
        : BlobClients.Map(e, _display, "reading");
}
