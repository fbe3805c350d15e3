using KvArchive.Engine.Hosting;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// The host as a session's runner sees it: counts the errors the run writes (a summary is complete only without
/// them) and, for a plan (-WhatIf), holds them back until the plan is written, so the plan is not mixed with them.
/// The driving thread only, as every host call.
/// </summary>
internal sealed class SessionHost(IHostContext host, bool holdErrors) : IHostContext
{
    private readonly List<KvError> _held = [];

    /// <summary>Errors written (or held) so far.</summary>
    public int Errors { get; private set; }

    public CancellationToken CancellationToken => host.CancellationToken;

    public void WriteObject(object item) => host.WriteObject(item);

    public void WriteError(KvError error)
    {
        Errors++;
        if (holdErrors)
        {
            _held.Add(error);
            return;
        }

        host.WriteError(error);
    }

    public void WriteWarning(string message) => host.WriteWarning(message);

    public void WriteVerbose(string message) => host.WriteVerbose(message);

    public void WriteDebug(string message) => host.WriteDebug(message);

    public void WriteProgress(KvProgress progress) => host.WriteProgress(progress);

    public bool ShouldProcess(string target, string action) => host.ShouldProcess(target, action);

    /// <summary>Writes the errors held back, in the order they came.</summary>
    public void ReleaseErrors()
    {
        var held = _held.ToArray();
        _held.Clear();
        foreach (var error in held)
        {
            host.WriteError(error);
        }
    }
}
