using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using KvArchive.Engine.Vault;
using Microsoft.Win32.SafeHandles;

namespace KvArchive.Engine.Storage;

/// <summary>
/// Sends an archive that <see cref="Archive.ArchiveWriter"/> writes to a local temporary file to its blob while the
/// backup runs: the file's finished prefix (bytes the writer never rewrites) is staged as blocks of
/// <see cref="ArchiveStorageOptions.BlockSize"/>, one at a time, by a background task reading them back from the file,
/// so memory holds one block. <see cref="Commit"/> stages the tail and commits the block list: until then nothing is
/// visible (uncommitted blocks are not part of the blob, and the service drops them), so an interrupted backup leaves
/// no blob and the previous one intact. Without overwrite, the commit is conditional on no blob existing
/// (If-None-Match: *), so a blob created meanwhile is never replaced.
/// </summary>
internal sealed class BlobArchiveUpload : IDisposable
{
    private readonly BlockBlobClient _client;
    private readonly string _display;
    private readonly bool _overwrite;
    private readonly int _blockSize;
    private readonly string _idPrefix = Guid.NewGuid().ToString("N")[..12];
    private readonly List<string> _blockIds = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _more = new(0);
    private readonly object _gate = new();
    private SafeFileHandle? _file;
    private Task? _worker;
    private long _finished;
    private long _staged;
    private bool _completing;
    private int _disposed;
    private Exception? _failure;
    private byte[]? _buffer;

    private BlobArchiveUpload(BlockBlobClient client, string display, bool overwrite, int blockSize)
    {
        _client = client;
        _display = display;
        _overwrite = overwrite;
        _blockSize = blockSize;
    }

    /// <summary>The blob's address as shown (no SAS).</summary>
    public string DisplayPath => _display;

    /// <summary>Blocks staged so far (tests read it).</summary>
    public int StagedBlocks { get { lock (_gate) { return _blockIds.Count; } } }

    /// <summary>
    /// Checks the target before any work: an existing blob without overwrite is <see cref="KvErrorIds.ArchiveExists"/>;
    /// a missing container, a refused or unreachable account end the run here too.
    /// </summary>
    public static BlobArchiveUpload Start(BlobArchiveAddress address, ArchiveStorageOptions options, bool overwrite)
    {
        var client = BlobClients.Create(address, options);
        try
        {
            if (client.Exists().Value)
            {
                if (!overwrite)
                {
                    throw new KvException(KvErrorKind.Conflict, KvErrorIds.ArchiveExists, $"The archive '{address.DisplayPath}' already exists.");
                }
            }
            else if (!address.HasSas && !client.GetParentBlobContainerClient().Exists().Value)
            {
                throw new KvException(KvErrorKind.NotFound, KvErrorIds.ArchiveWriteFailed, $"The container '{address.ContainerName}' of '{address.DisplayPath}' does not exist; create it or choose another archive URL.");
            }
        }
        catch (Exception e) when (e is RequestFailedException or Azure.Identity.AuthenticationFailedException or IOException or HttpRequestException)
        {
            throw BlobClients.Map(e, address.DisplayPath, "checking");
        }

        return new BlobArchiveUpload(client, address.DisplayPath, overwrite, Math.Max(64 * 1024, options.BlockSize));
    }

    /// <summary>The temporary file to read blocks from (its handle; reads are positional and leave the writer's position).</summary>
    public void Attach(SafeFileHandle file)
    {
        _file = file;
        _worker = Task.Run(RunAsync);
    }

    /// <summary>Whether the writer should flush and call <see cref="Advance"/>: a whole block more is finished.</summary>
    public bool Due(long finished)
    {
        lock (_gate)
        {
            return _failure is not null || finished - Math.Max(_finished, _staged) >= _blockSize;
        }
    }

    /// <summary>
    /// Everything before <paramref name="finished"/> is final (flushed to the file, never rewritten): the background
    /// task stages it as whole blocks. A failure of an earlier block ends the backup here.
    /// </summary>
    public void Advance(long finished)
    {
        lock (_gate)
        {
            ThrowIfFailed();
            _finished = Math.Max(_finished, finished);
        }

        _more.Release();
    }

    /// <summary>
    /// Stages whatever is left of the finished file of <paramref name="length"/> bytes and commits the block list with
    /// <paramref name="metadata"/>. Throws <see cref="KvException"/>: ArchiveExists when a blob was created meanwhile
    /// (or an immutability policy keeps the one there), ArchiveWriteFailed otherwise; nothing is committed then.
    /// </summary>
    public void Commit(long length, IDictionary<string, string> metadata, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _finished = length;
            _completing = true;
        }

        // The worker stages the whole blocks left and stops; the tail is staged here.
        _more.Release();
        _worker?.GetAwaiter().GetResult();

        lock (_gate)
        {
            ThrowIfFailed();
        }

        try
        {
            while (_staged < length)
            {
                StageNext(length, cancellationToken);
            }

            var options = new CommitBlockListOptions
            {
                Metadata = metadata,
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/zip" },
                Conditions = _overwrite ? null : new BlobRequestConditions { IfNoneMatch = ETag.All },
            };
            _client.CommitBlockList(_blockIds, options, cancellationToken);
        }
        catch (Exception e) when (e is RequestFailedException or Azure.Identity.AuthenticationFailedException or IOException or HttpRequestException)
        {
            throw CommitFailed(e);
        }
    }

    /// <summary>Stops staging; an uncommitted upload leaves nothing visible.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        _more.Release();
        try
        {
            _worker?.Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
            // A failed or cancelled block: nothing was committed, and the service drops staged blocks.
        }

        _stop.Dispose();
        _more.Dispose();
        _buffer = null;
    }

    private async Task RunAsync()
    {
        try
        {
            while (true)
            {
                await _more.WaitAsync(_stop.Token).ConfigureAwait(false);
                long finished;
                bool completing;
                lock (_gate)
                {
                    finished = _finished;
                    completing = _completing;
                }

                while (finished - _staged >= _blockSize)
                {
                    StageNext(finished, _stop.Token);
                }

                if (completing)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Commit stages the rest, or the writer was abandoned.
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                _failure = e;
            }
        }
    }

    /// <summary>Reads the next block (at most <c>BlockSize</c> bytes below <paramref name="limit"/>) and stages it.</summary>
    private void StageNext(long limit, CancellationToken cancellationToken)
    {
        var size = (int)Math.Min(_blockSize, limit - _staged);
        var buffer = _buffer ??= new byte[_blockSize];
        var done = 0;
        while (done < size)
        {
            var n = RandomAccess.Read(_file!, buffer.AsSpan(done, size - done), _staged + done);
            if (n == 0)
            {
                throw new EndOfStreamException($"the temporary file ends at {_staged + done}, before {limit}");
            }

            done += n;
        }

        var id = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes($"{_idPrefix}{_blockIds.Count:D8}"));
        using (var content = new MemoryStream(buffer, 0, size, writable: false))
        {
            _client.StageBlock(id, content, cancellationToken: cancellationToken);
        }

        lock (_gate)
        {
            _blockIds.Add(id);
            _staged += size;
        }
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } e)
        {
            throw e is KvException kv ? kv : BlobClients.Map(e, _display, "uploading to");
        }
    }

    private KvException CommitFailed(Exception e)
    {
        if (e is RequestFailedException { Status: 409 or 412 } r && !_overwrite && r.ErrorCode is "BlobAlreadyExists" or "ConditionNotMet" or null)
        {
            return new KvException(KvErrorKind.Conflict, KvErrorIds.ArchiveExists, $"The archive '{_display}' was created by someone else while the backup ran. Nothing was written.", e);
        }

        return BlobClients.Map(e, _display, "committing");
    }
}
