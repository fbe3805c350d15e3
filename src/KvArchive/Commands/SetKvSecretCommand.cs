using System.Collections;
using System.Management.Automation;
using System.Security;
using KvArchive.Completion;
using KvArchive.Engine.Vault;

namespace KvArchive.Commands;

/// <summary>
/// <para type="synopsis">Sets a new version of a secret.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "KvSecret", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(KvObject))]
public sealed class SetKvSecretCommand : KvVaultCommandBase
{
    /// <summary>The secret's name.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(KvNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>The value of the new version.</summary>
    [Parameter(Mandatory = true, Position = 2)]
    [ValidateNotNull]
    public SecureString SecretValue { get; set; } = null!;

    /// <summary>The content type, e.g. text/plain or application/json.</summary>
    [Parameter]
    public string? ContentType { get; set; }

    /// <summary>Tags of the new version (replaces all tags).</summary>
    [Parameter]
    public Hashtable? Tag { get; set; }

    /// <summary>Creates the version disabled.</summary>
    [Parameter]
    [Alias("Disable")]
    public SwitchParameter Disabled { get; set; }

    /// <summary>Not valid after this time.</summary>
    [Parameter]
    [Alias("Expires")]
    public DateTime? ExpiresOn { get; set; }

    /// <summary>Not valid before this time.</summary>
    [Parameter]
    public DateTime? NotBefore { get; set; }

    /// <summary>
    /// Restates the current version's content type, tags, dates and enabled state for anything this command
    /// does not give: a new version keeps only what it states.
    /// </summary>
    [Parameter]
    public SwitchParameter CarryForward { get; set; }

    /// <summary>Returns the new version's properties.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var client = GetClient();
        if (!ShouldProcess($"secret '{Name}' in vault {client.VaultName}", "Set a new secret version"))
        {
            return;
        }

        try
        {
            KvObject? current = null;
            if (CarryForward)
            {
                try
                {
                    current = Await(client.GetAsync(KvObjectType.Secret, Name, null, StopToken));
                    WriteVerbose($"Carrying forward the properties of version {current.Version} of secret '{Name}'.");
                }
                catch (KvException e) when (e.Kind == KvErrorKind.NotFound)
                {
                    WriteVerbose($"Secret '{Name}' has no current version: nothing to carry forward.");
                }
            }

            var options = new KvSecretSetOptions
            {
                ContentType = ContentType ?? current?.ContentType,
                Enabled = Disabled.IsPresent ? false : current?.Enabled ?? true,
                ExpiresOn = ParameterConversion.ToOffset(ExpiresOn) ?? current?.ExpiresOn,
                NotBefore = ParameterConversion.ToOffset(NotBefore) ?? current?.NotBefore,
                Tags = ParameterConversion.ToTags(Tag) ?? current?.Tags,
            };
            // A name that was just purged stays busy for writes for a moment (409 ObjectIsBeingDeleted): wait it out.
            var created = Await(VaultOperations.RetryWhileNameBusyAsync(
                ct => client.SetSecretAsync(Name, ParameterConversion.ToPlainText(SecretValue), options, ct), null, StopToken));
            WriteVerbose($"Set version {created.Version} of secret '{Name}'.");
            if (PassThru)
            {
                WriteObject(created);
            }
        }
        catch (KvException e)
        {
            WriteKvError(e, Name);
        }
    }
}
