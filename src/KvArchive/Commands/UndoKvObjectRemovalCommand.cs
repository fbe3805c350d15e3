using System.Management.Automation;
using KvArchive.Engine.Vault;
using KvArchive.Hosting;

namespace KvArchive.Commands;

/// <summary>
/// <para type="synopsis">Recovers removed (soft-deleted) objects and waits until they are live again.</para>
/// </summary>
[Cmdlet(VerbsCommon.Undo, "KvObjectRemoval", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByNameSet)]
[OutputType(typeof(KvObject))]
public sealed class UndoKvObjectRemovalCommand : KvObjectCommandBase
{
    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var target in ResolveTargets())
        {
            if (target.Removed == false)
            {
                WriteError(KvErrorRecords.Create(KvErrorIds.InvalidArgument, ErrorCategory.InvalidArgument,
                    $"The {target.Type.Word()} '{target.Name}' is not removed; pipe removed objects: Get-KvObject -InRemovedState | Undo-KvObjectRemoval.", target.Target));
                continue;
            }

            var described = Describe(target with { Version = null });
            if (!ShouldProcess(described, "Recover"))
            {
                continue;
            }

            try
            {
                var recovered = Await(target.Client.RecoverAndWaitAsync(target.Type, target.Name, null, StopToken));
                WriteVerbose($"Recovered {described}.");
                WriteObject(recovered);
            }
            catch (KvException e)
            {
                WriteKvError(e, target.Target);
            }
        }
    }
}
