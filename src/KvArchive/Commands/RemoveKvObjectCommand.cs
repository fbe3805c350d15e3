using System.Management.Automation;
using KvArchive.Engine.Vault;
using KvArchive.Hosting;

namespace KvArchive.Commands;

/// <summary>
/// <para type="synopsis">Removes (soft-deletes) objects and waits until the vault shows them removed; with -Purge, deletes them for good.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "KvObject", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ByNameSet)]
[OutputType(typeof(KvObject))]
public sealed class RemoveKvObjectCommand : KvObjectCommandBase
{

    // Several versions of one object may be piped in (Get-KvObject -IncludeVersions): remove the object once.
    private readonly HashSet<string> _done = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The object named by -Name is already removed (soft-deleted); use with -Purge.</summary>
    /// <remarks>
    /// Binds from a piped object's Deleted property: PowerShell binds Get-KvObject's output by property name
    /// (-Type, -Name) here, so without it a removed object would be removed again instead of purged.
    /// </remarks>
    [Parameter(ParameterSetName = ByNameSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Deleted")]
    public SwitchParameter InRemovedState { get; set; }

    /// <summary>Deletes for good: purges a removed object, or removes a live one, waits, then purges it.</summary>
    [Parameter]
    public SwitchParameter Purge { get; set; }

    /// <summary>Skips the confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Returns the removed object (soft delete only).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        // Checked per record: a piped removed object sets -InRemovedState only now.
        if (InRemovedState && !Purge)
        {
            ThrowTerminatingError(KvErrorRecords.Create(KvErrorIds.InvalidArgument, ErrorCategory.InvalidArgument,
                "-InRemovedState names an object that is already removed; the only way to remove it further is -Purge. To bring it back, use Undo-KvObjectRemoval.", Name));
        }

        foreach (var target in ResolveTargets())
        {
            var removed = InRemovedState || target.Removed == true;
            if (!_done.Add($"{target.Client.VaultUri}|{target.Type}|{target.Name}|{removed}"))
            {
                continue;
            }

            var described = Describe(target with { Version = null });
            var action = Purge
                ? removed ? "Purge (delete permanently, cannot be undone)" : "Remove, then purge (delete permanently, cannot be undone)"
                : "Remove (soft delete; recoverable with Undo-KvObjectRemoval)";
            if (!ConfirmDestructive(described, action, Force, KvCommandBase.ConfirmationRequiredId, ConfirmImpact.High))
            {
                continue;
            }

            try
            {
                if (!removed)
                {
                    var deleted = Await(target.Client.DeleteAndWaitAsync(target.Type, target.Name, null, StopToken));
                    WriteVerbose($"Removed {described}.");
                    if (!Purge)
                    {
                        if (PassThru)
                        {
                            WriteObject(deleted);
                        }

                        continue;
                    }
                }

                Await(target.Client.PurgeAndWaitAsync(target.Type, target.Name, null, StopToken));
                WriteVerbose($"Purged {described}.");
            }
            catch (KvException e)
            {
                WriteKvError(e, target.Target);
            }
        }
    }
}
