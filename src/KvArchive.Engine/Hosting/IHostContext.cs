namespace KvArchive.Engine.Hosting;

/// <summary>
/// The one seam between the engine and its host (a cmdlet, a test, a benchmark). Every member is called
/// on the thread that invoked the engine operation, never from a worker: concurrent work marshals its
/// output back through the engine's host pump.
/// </summary>
public interface IHostContext
{
    /// <summary>Cancelled when the user stops the command (Ctrl+C / StopProcessing).</summary>
    CancellationToken CancellationToken { get; }

    /// <summary>Emits one output record.</summary>
    void WriteObject(object item);

    /// <summary>Reports a per-object failure; the operation goes on with the next object.</summary>
    void WriteError(KvError error);

    /// <summary>Writes a warning. Never pass a secret value.</summary>
    void WriteWarning(string message);

    /// <summary>Writes a verbose message. Never pass a secret value.</summary>
    void WriteVerbose(string message);

    /// <summary>Writes a debug message. Never pass a secret value.</summary>
    void WriteDebug(string message);

    /// <summary>Reports progress of long work.</summary>
    void WriteProgress(KvProgress progress);

    /// <summary>Asks whether a write may go ahead (-WhatIf / -Confirm).</summary>
    bool ShouldProcess(string target, string action);
}
