using System.Management.Automation;
using KvArchive.Commands;
using KvArchive.Engine.Hosting;

namespace KvArchive.Hosting;

/// <summary>
/// The engine's view of a running cmdlet. Every call comes from the pipeline thread (the engine's host pump
/// guarantees it), so each maps straight onto the cmdlet's own Write* and ShouldProcess.
/// </summary>
internal sealed class PSHostContext : IHostContext
{
    private readonly KvCommandBase _cmdlet;

    public PSHostContext(KvCommandBase cmdlet, CancellationToken cancellationToken)
    {
        _cmdlet = cmdlet;
        CancellationToken = cancellationToken;
    }

    public CancellationToken CancellationToken { get; }

    public void WriteObject(object item) => _cmdlet.WriteObject(item);

    public void WriteError(KvError error) => _cmdlet.WriteError(KvErrorRecords.Create(error.Exception, error.Target));

    public void WriteWarning(string message) => _cmdlet.WriteWarning(message);

    public void WriteVerbose(string message) => _cmdlet.WriteVerbose(message);

    public void WriteDebug(string message) => _cmdlet.WriteDebug(message);

    public void WriteProgress(KvProgress progress)
    {
        var record = new ProgressRecord(_cmdlet.ProgressActivityId, progress.Activity, string.IsNullOrEmpty(progress.Status) ? progress.Activity : progress.Status)
        {
            PercentComplete = Math.Clamp(progress.PercentComplete, -1, 100),
            SecondsRemaining = progress.SecondsRemaining < 0 ? -1 : progress.SecondsRemaining,
            RecordType = progress.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
        _cmdlet.WriteProgress(record);
    }

    public bool ShouldProcess(string target, string action) => _cmdlet.ShouldProcessForEngine(target, action);
}
