using System.Collections;
using System.Management.Automation;
using KvArchive.Engine.Vault;
using KvArchive.Hosting;

namespace KvArchive.Commands;

/// <summary>
/// <para type="synopsis">Changes a version's properties (enabled, dates, content type, tags) without creating a version.</para>
/// </summary>
[Cmdlet(VerbsData.Update, "KvObject", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByNameSet)]
[OutputType(typeof(KvObject))]
public sealed class UpdateKvObjectCommand : KvObjectCommandBase
{
    /// <summary>A version id (by name); the latest version when omitted.</summary>
    /// <remarks>
    /// By property name too: a piped KvObject binds by property name (-Type, -Name, -VaultUri: the default set wins
    /// pipeline binding), so without this a version from Get-KvObject -IncludeVersions would update the latest one.
    /// </remarks>
    [Parameter(ParameterSetName = ByNameSet, ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    [AllowEmptyString]
    public string? Version { get; set; }

    /// <summary>Enables ($true) or disables ($false) the version.</summary>
    [Parameter]
    [Alias("Enable")]
    public bool Enabled { get; set; }

    /// <summary>Not valid after this time.</summary>
    [Parameter]
    [Alias("Expires")]
    public DateTime? ExpiresOn { get; set; }

    /// <summary>Not valid before this time.</summary>
    [Parameter]
    public DateTime? NotBefore { get; set; }

    /// <summary>The content type (secrets only).</summary>
    [Parameter]
    public string? ContentType { get; set; }

    /// <summary>Replaces all tags.</summary>
    [Parameter]
    public Hashtable? Tag { get; set; }

    /// <summary>Returns the updated properties.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var update = new KvPropertyUpdate
        {
            Enabled = MyInvocation.BoundParameters.ContainsKey(nameof(Enabled)) ? Enabled : null,
            ExpiresOn = ParameterConversion.ToOffset(ExpiresOn),
            NotBefore = ParameterConversion.ToOffset(NotBefore),
            ContentType = ContentType,
            Tags = ParameterConversion.ToTags(Tag),
        };

        foreach (var target in ResolveTargets())
        {
            if (update.ContentType is not null && target.Type != KvObjectType.Secret)
            {
                WriteError(KvErrorRecords.Create(KvErrorIds.InvalidArgument, ErrorCategory.InvalidArgument,
                    $"-ContentType applies to secrets only; '{target.Name}' is a {target.Type.Word()}.", target.Target));
                continue;
            }

            if (target.Removed == true)
            {
                WriteError(KvErrorRecords.Create(KvErrorIds.ObjectSoftDeleted, ErrorCategory.InvalidOperation,
                    $"The {target.Type.Word()} '{target.Name}' is removed; recover it with Undo-KvObjectRemoval before updating it.", target.Target));
                continue;
            }

            var version = ParameterSetName == ByNameSet ? (string.IsNullOrEmpty(Version) ? null : Version) : target.Version;
            var described = Describe(target with { Version = version });
            if (!ShouldProcess(described, "Update properties"))
            {
                continue;
            }

            try
            {
                var updated = Await(target.Client.UpdateAsync(target.Type, target.Name, version, update, StopToken));
                WriteVerbose($"Updated {described}.");
                if (PassThru)
                {
                    WriteObject(updated);
                }
            }
            catch (KvException e)
            {
                WriteKvError(e, target.Target);
            }
        }
    }
}
