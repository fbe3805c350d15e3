using System.Management.Automation;
using KvArchive.Engine.Hosting;
using KvArchive.Engine.Vault;
using KvArchive.Hosting;

namespace KvArchive.Commands;

/// <summary>
/// What every KvArchive cmdlet shares: cancellation from Ctrl+C (StopProcessing) reaching every engine call,
/// the engine's host adapter, and the one way engine failures become PowerShell errors.
/// </summary>
public abstract class KvCommandBase : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private object? _hostContext;
    private bool _disposed;
    private bool _yesToAll;
    private bool _noToAll;

    /// <summary>Error id of a confirmation that a host which cannot prompt could not give.</summary>
    internal const string ConfirmationRequiredId = KvErrorIds.ConfirmationRequired;

    /// <summary>Cancelled when the user stops the pipeline.</summary>
    protected CancellationToken StopToken => _stopping.Token;

    /// <summary>The id of this command's progress bar.</summary>
    protected internal virtual int ProgressActivityId => 0x4B56;

    /// <summary>Cancels everything in flight.</summary>
    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>The engine's view of this command (created on first use, after the module's resolver exists).</summary>
    internal IHostContext HostContext => (IHostContext)(_hostContext ??= new PSHostContext(this, StopToken));

    /// <summary>
    /// Asks whether an engine write may go ahead. The default is plain ShouldProcess; commands that need a
    /// stronger confirmation for some actions (purge) override it.
    /// </summary>
    protected internal virtual bool ShouldProcessForEngine(string target, string action) => ShouldProcess(target, action);

    /// <summary>Waits for an engine call on the pipeline thread; a stop becomes PowerShell's own stop.</summary>
    internal T Await<T>(Task<T> task)
    {
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (KvException e) when (e.Kind == KvErrorKind.Cancelled && StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>Waits for an engine call that returns nothing.</summary>
    internal void Await(Task task) => Await(AsObjectTask(task));

    /// <summary>Enumerates an engine stream on the pipeline thread, handing each item over as it arrives.</summary>
    internal void Stream<T>(IAsyncEnumerable<T> source, Action<T> onItem)
    {
        var enumerator = source.GetAsyncEnumerator(StopToken);
        try
        {
            while (Await(enumerator.MoveNextAsync().AsTask()))
            {
                onItem(enumerator.Current);
            }
        }
        finally
        {
            try
            {
                enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                // Disposing after a stop: nothing left to report.
            }
        }
    }

    /// <summary>
    /// Reports a failure of one object and goes on, or stops the command when the failure is about the vault
    /// or the credential (every further object would fail the same way).
    /// </summary>
    internal void WriteKvError(KvException exception, object? target)
    {
        var record = KvErrorRecords.Create(exception, target);
        if (KvFailurePolicy.EndsCommand(exception))
        {
            ThrowTerminatingError(record);
        }

        WriteError(record);
    }

    /// <summary>
    /// Confirmation of an action that cannot be undone (purge), whatever the cmdlet's own ConfirmImpact:
    /// -WhatIf shows it; -Force (or -Confirm:$false) skips the prompt unless -Confirm was asked for; otherwise the
    /// user is asked (ShouldProcess, plus ShouldContinue when ShouldProcess would not prompt by itself), and a
    /// host that cannot prompt gets an error naming -Force instead of a hang.
    /// </summary>
    internal bool ConfirmDestructive(string target, string action, bool force, string errorId, ConfirmImpact cmdletImpact)
    {
        if (IsWhatIf())
        {
            return ShouldProcess(target, action);
        }

        var confirmAsked = IsSwitchOn("Confirm");
        if (force && !confirmAsked)
        {
            WriteVerbose($"Performing the operation \"{action}\" on target \"{target}\" (-Force).");
            return true;
        }

        if (MyInvocation.BoundParameters.ContainsKey("Confirm") && !confirmAsked)
        {
            return ShouldProcess(target, action);
        }

        if (!HostInteractivity.CanPrompt(Host))
        {
            WriteError(KvErrorRecords.Create(
                errorId,
                ErrorCategory.InvalidOperation,
                $"'{action}' on '{target}' needs confirmation, and this host cannot prompt (a runbook or a non-interactive session). Add -Force to confirm it in advance, or -Confirm:$false.",
                target));
            return false;
        }

        var prompted = WouldPrompt(cmdletImpact);
        if (!ShouldProcess(target, action))
        {
            return false;
        }

        return prompted || ShouldContinue($"{action}: {target}. This cannot be undone.", "Confirm", ref _yesToAll, ref _noToAll);
    }

    /// <summary>True when -WhatIf is on, by switch or by $WhatIfPreference.</summary>
    /// <summary>
    /// Writes a run's summary to the information stream: tagged PSHOST, so the console shows it (its ToString) as
    /// Write-Host would, and <see cref="InformationTypeAttribute.SummaryTag"/>; the record's MessageData is the
    /// summary object (-InformationVariable keeps it). 6&gt;$null or -InformationAction Ignore drop it.
    /// </summary>
    internal void WriteSummary(object summary) => WriteInformation(summary, ["PSHOST", InformationTypeAttribute.SummaryTag]);

    internal bool IsWhatIf() =>
        IsSwitchOn("WhatIf") || (!MyInvocation.BoundParameters.ContainsKey("WhatIf") && IsPreferenceOn("WhatIfPreference"));

    /// <summary>True when -Confirm:$false was passed.</summary>
    internal bool IsConfirmOff() => MyInvocation.BoundParameters.ContainsKey("Confirm") && !IsSwitchOn("Confirm");

    private bool WouldPrompt(ConfirmImpact impact)
    {
        if (MyInvocation.BoundParameters.ContainsKey("Confirm"))
        {
            return IsSwitchOn("Confirm");
        }

        var preference = GetVariableValue("ConfirmPreference");
        var level = preference is ConfirmImpact c ? c : Enum.TryParse<ConfirmImpact>(preference?.ToString(), true, out var parsed) ? parsed : ConfirmImpact.High;
        return level != ConfirmImpact.None && impact >= level;
    }

    private bool IsSwitchOn(string name) =>
        MyInvocation.BoundParameters.TryGetValue(name, out var value) && (value is SwitchParameter s ? s.IsPresent : value is true);

    private bool IsPreferenceOn(string name) => GetVariableValue(name) switch
    {
        bool b => b,
        SwitchParameter s => s.IsPresent,
        _ => false,
    };

    private static async Task<object?> AsObjectTask(Task task)
    {
        await task.ConfigureAwait(false);
        return null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the cancellation source.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!_disposed && disposing)
        {
            _stopping.Dispose();
        }

        _disposed = true;
    }
}
