using System.Collections.Concurrent;
using KvArchive.Engine.Hosting;

namespace KvArchive.Engine.Tests.Hosting;

/// <summary>
/// An <see cref="IHostContext"/> that records every call with the thread it came on, answers ShouldProcess
/// as told, and can cancel itself after a number of records.
/// </summary>
internal sealed class RecordingHost : IHostContext, IDisposable
{
    private readonly CancellationTokenSource _cancel = new();

    public RecordingHost(bool shouldProcess = true)
    {
        Answer = (_, _) => shouldProcess;
    }

    public CancellationToken CancellationToken => _cancel.Token;

    public Func<string, string, bool> Answer { get; set; }

    /// <summary>Cancels the token when this many records were written.</summary>
    public int? CancelAfterRecords { get; set; }

    public ConcurrentQueue<(string Kind, object? Value, int Thread)> Calls { get; } = new();

    public List<object> Records => Calls.Where(c => c.Kind == "object").Select(c => c.Value!).ToList();

    public List<KvError> Errors => Calls.Where(c => c.Kind == "error").Select(c => (KvError)c.Value!).ToList();

    public List<string> Warnings => Calls.Where(c => c.Kind == "warning").Select(c => (string)c.Value!).ToList();

    public List<KvProgress> Progress => Calls.Where(c => c.Kind == "progress").Select(c => (KvProgress)c.Value!).ToList();

    public List<(string Target, string Action)> ShouldProcessCalls => Calls.Where(c => c.Kind == "shouldprocess").Select(c => ((string, string))c.Value!).ToList();

    public IEnumerable<int> Threads => Calls.Select(c => c.Thread).Distinct();

    /// <summary>When the token was cancelled.</summary>
    public DateTimeOffset? CancelledAt { get; private set; }

    public void Cancel()
    {
        CancelledAt ??= DateTimeOffset.UtcNow;
        _cancel.Cancel();
    }

    public void WriteObject(object item)
    {
        Add("object", item);
        if (CancelAfterRecords is { } n && Records.Count >= n)
        {
            Cancel();
        }
    }

    public void WriteError(KvError error) => Add("error", error);

    public void WriteWarning(string message) => Add("warning", message);

    public void WriteVerbose(string message) => Add("verbose", message);

    public void WriteDebug(string message) => Add("debug", message);

    public void WriteProgress(KvProgress progress) => Add("progress", progress);

    public bool ShouldProcess(string target, string action)
    {
        Add("shouldprocess", (target, action));
        return Answer(target, action);
    }

    public void Dispose() => _cancel.Dispose();

    private void Add(string kind, object? value) => Calls.Enqueue((kind, value, Environment.CurrentManagedThreadId));
}
