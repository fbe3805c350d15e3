namespace KvArchive.LocalVault.Persistence;

/// <summary>
/// Appends journal records with group commit: callers enqueue records (cheap, under their vault lock, so the journal's
/// order is the order of capture) and wait for <see cref="WhenDurable"/>; one writer thread takes everything queued,
/// writes it as one frame and flushes it to disk (fsync), then releases every waiter of that frame at once. While one
/// flush is under way the next frame fills, so concurrent writers share flushes and throughput grows with them.
/// </summary>
public sealed class JournalWriter : IDisposable
{
    private readonly object _gate = new();
    private readonly string _directory;
    private readonly StateCipher _cipher;
    private readonly TextWriter _log;
    private readonly Thread _thread;
    private List<JournalRecord> _queue = [];
    private long _lastEnqueued;
    private long _durable;
    private TaskCompletionSource _pending = NewSignal();
    private TaskCompletionSource? _inFlight;
    private long _inFlightLast;
    private TaskCompletionSource<long>? _rotated;
    private bool _stopping;
    private FileStream? _file;
    private byte[] _header = [];
    private long _fileBytes;
    private bool _reopen;

    public JournalWriter(string directory, StateCipher cipher, long generation, TextWriter log)
    {
        _directory = directory;
        _cipher = cipher;
        _log = log;
        Generation = generation - 1;
        Open();
        _thread = new Thread(Loop) { IsBackground = true, Name = "LocalVault journal" };
        _thread.Start();
    }

    /// <summary>The generation being appended to.</summary>
    public long Generation { get; private set; }

    /// <summary>Size of the current journal file above which <see cref="Large"/> is raised.</summary>
    public long CompactAfterBytes { get; set; } = long.MaxValue;

    /// <summary>Raised on the writer thread after a frame that left the current file above <see cref="CompactAfterBytes"/>.</summary>
    public Action? Large { get; set; }

    /// <summary>
    /// Raised on the writer thread after a frame could not be written, before the next one is taken: the records of
    /// that frame are lost, so whatever they held must be enqueued again (the persistence enqueues every vault whole).
    /// </summary>
    public Action? Failed { get; set; }

    /// <summary>The sequence number of the last record enqueued.</summary>
    public long LastEnqueued
    {
        get
        {
            lock (_gate)
            {
                return _lastEnqueued;
            }
        }
    }

    /// <summary>Queues a record; returns its sequence number.</summary>
    public long Enqueue(JournalRecord record)
    {
        lock (_gate)
        {
            _queue.Add(record);
            if (_queue.Count == 1)
            {
                Monitor.Pulse(_gate);
            }

            return ++_lastEnqueued;
        }
    }

    /// <summary>Completes when every record up to <paramref name="sequence"/> is on disk (faults if its frame failed).</summary>
    public Task WhenDurable(long sequence)
    {
        lock (_gate)
        {
            if (sequence <= _durable)
            {
                return Task.CompletedTask;
            }

            return _inFlight is not null && sequence <= _inFlightLast ? _inFlight.Task : _pending.Task;
        }
    }

    /// <summary>
    /// Starts a new journal file: records enqueued after the switch go to it. Completes with its generation once
    /// every record of the earlier files is on disk, so a snapshot captured after that covers them.
    /// </summary>
    public Task<long> RotateAsync()
    {
        lock (_gate)
        {
            _rotated ??= new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            Monitor.Pulse(_gate);
            return _rotated.Task;
        }
    }

    /// <summary>Writes what is queued and stops the writer.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.Pulse(_gate);
        }

        _thread.Join();
        _file?.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Loop()
    {
        while (true)
        {
            List<JournalRecord> batch;
            TaskCompletionSource done;
            TaskCompletionSource<long>? rotated;
            long last;
            lock (_gate)
            {
                while (_queue.Count == 0 && _rotated is null && !_stopping)
                {
                    Monitor.Wait(_gate);
                }

                if (_queue.Count == 0 && _rotated is null)
                {
                    return;
                }

                batch = _queue;
                _queue = [];
                done = _pending;
                _pending = NewSignal();
                last = _lastEnqueued;
                _inFlight = done;
                _inFlightLast = last;
                rotated = _rotated;
                _rotated = null;
            }

            Exception? failure = null;
            try
            {
                if (rotated is not null || _reopen)
                {
                    Open();
                    _reopen = false;
                }

                rotated?.TrySetResult(Generation);
                if (batch.Count > 0)
                {
                    var frame = JournalFile.Frame(batch, _cipher, _header);
                    _file!.Write(frame);
                    _file.Flush(flushToDisk: true);
                    _fileBytes += frame.Length;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failure = e;
            }

            lock (_gate)
            {
                if (failure is null)
                {
                    _durable = last;
                }

                _inFlight = null;
            }

            if (failure is null)
            {
                done.TrySetResult();
                if (_fileBytes > CompactAfterBytes)
                {
                    Large?.Invoke();
                }

                continue;
            }

            // The frame may be half written: continue in a new file (replay stops at the torn frame of this one).
            _log.WriteLine($"LocalVault: could not write the journal in {_directory}: {failure.Message}");
            _reopen = true;
            rotated?.TrySetException(failure);
            done.TrySetException(new IOException("LocalVault could not make the change durable (journal write failed).", failure));
            Failed?.Invoke();
        }
    }

    /// <summary>Opens the next generation's file (header flushed, directory entry flushed).</summary>
    private void Open()
    {
        while (true)
        {
            var generation = Generation + 1;
            var path = Path.Combine(_directory, JournalFile.NameOf(generation));
            FileStream file;
            try
            {
                file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Left by an earlier failed attempt: skip the generation.
                Generation = generation;
                continue;
            }

            var header = JournalFile.Header(generation);
            file.Write(header);
            file.Flush(flushToDisk: true);
            DirectorySync.Flush(_directory);
            _file?.Dispose();
            _file = file;
            _header = header;
            _fileBytes = header.Length;
            Generation = generation;
            return;
        }
    }
}
