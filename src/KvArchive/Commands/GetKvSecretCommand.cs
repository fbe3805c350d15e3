using System.Management.Automation;
using KvArchive.Completion;
using KvArchive.Engine.Vault;
using KvArchive.Hosting;

namespace KvArchive.Commands;

/// <summary>
/// <para type="synopsis">Gets a secret's value: a SecureString by default, plain text with -AsPlainText.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "KvSecret", DefaultParameterSetName = ByNameSet)]
[OutputType(typeof(KvSecretValue), ParameterSetName = [ByNameSet, ByInputObjectSet, ByIdSet])]
[OutputType(typeof(string), ParameterSetName = [ByNameSet, ByInputObjectSet, ByIdSet])]
public sealed class GetKvSecretCommand : KvVaultCommandBase
{
    /// <summary>By vault and name.</summary>
    public const string ByNameSet = "ByName";
    /// <summary>By a piped object from Get-KvObject.</summary>
    public const string ByInputObjectSet = "ByInputObject";
    /// <summary>By the secret's identifier.</summary>
    public const string ByIdSet = "ById";

    /// <summary>The secret's name.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = ByNameSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(KvNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>A version id; the latest version when omitted.</summary>
    [Parameter(ParameterSetName = ByNameSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Version { get; set; }

    /// <summary>A secret (or secret version) from Get-KvObject.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByInputObjectSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public KvObject InputObject { get; set; } = null!;

    /// <summary>The secret's identifier, with or without a version.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByIdSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    public Uri Id { get; set; } = null!;

    /// <summary>Returns the value as a plain string instead of a SecureString inside a KvSecretValue.</summary>
    [Parameter]
    public SwitchParameter AsPlainText { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        Uri vaultUri;
        string name;
        string? version;
        object target;
        switch (ParameterSetName)
        {
            case ByInputObjectSet:
                if (InputObject.Type != KvObjectType.Secret)
                {
                    WriteError(KvErrorRecords.Create(KvErrorIds.InvalidArgument, ErrorCategory.InvalidArgument,
                        $"'{InputObject.Name}' is a {InputObject.Type.Word()}, not a secret. Pipe secrets only: Get-KvObject -Type Secret | Get-KvSecret.", InputObject));
                    return;
                }

                (vaultUri, name, version, target) = (InputObject.VaultUri, InputObject.Name, InputObject.Version, InputObject);
                break;
            case ByIdSet:
                var id = ObjectIdentifier.TryParse(Id, out var problem);
                if (id is null || id.Type != KvObjectType.Secret || id.Removed)
                {
                    WriteError(KvErrorRecords.Create(KvErrorIds.InvalidArgument, ErrorCategory.InvalidArgument,
                        $"'{Id}' is not a secret identifier{(problem is null ? string.Empty : ": " + problem)}. Expected https://<vault>/secrets/<name>[/<version>].", Id));
                    return;
                }

                (vaultUri, name, version, target) = (id.VaultUri, id.Name, id.Version, Id);
                break;
            default:
                (vaultUri, name, version, target) = (ResolveVaultUri(), Name, Version, Name);
                break;
        }

        var client = GetClient(vaultUri);
        try
        {
            var secret = Await(client.GetSecretAsync(name, version, StopToken));
            if (AsPlainText)
            {
                WriteObject(ParameterConversion.ToPlainText(secret.Value));
            }
            else
            {
                WriteObject(secret);
            }
        }
        catch (KvException e)
        {
            WriteKvError(e, target);
        }
    }
}
