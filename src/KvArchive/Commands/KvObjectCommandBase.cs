using System.Management.Automation;
using KvArchive.Completion;
using KvArchive.Engine.Vault;
using KvArchive.Hosting;

namespace KvArchive.Commands;

/// <summary>
/// Cmdlets that act on one object at a time, named three ways: by -Type and -Name (with the vault), by a piped
/// object from Get-KvObject (-InputObject), or by its identifier (-Id, the object's URI or recovery id).
/// </summary>
public abstract class KvObjectCommandBase : KvVaultCommandBase
{
    /// <summary>By vault, type and name.</summary>
    public const string ByNameSet = "ByName";
    /// <summary>By a piped object from Get-KvObject.</summary>
    public const string ByInputObjectSet = "ByInputObject";
    /// <summary>By the object's identifier.</summary>
    public const string ByIdSet = "ById";

    /// <summary>Secret, Key or Certificate.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByNameSet, ValueFromPipelineByPropertyName = true)]
    public KvObjectType[] Type { get; set; } = [];

    /// <summary>The object's name.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = ByNameSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(KvNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>An object from Get-KvObject.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByInputObjectSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public KvObject InputObject { get; set; } = null!;

    /// <summary>The object's identifier (https://vault/secrets/name[/version], a key id, a recovery id).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByIdSet)]
    [ValidateNotNull]
    public Uri Id { get; set; } = null!;

    /// <summary>
    /// The objects the parameters name, each with its vault's client; a malformed -Id is reported and yields
    /// nothing.
    /// </summary>
    internal IEnumerable<ObjectTarget> ResolveTargets()
    {
        switch (ParameterSetName)
        {
            case ByInputObjectSet:
                yield return new ObjectTarget(GetClient(InputObject.VaultUri), InputObject.Type, InputObject.Name, InputObject.Version, InputObject.Deleted, InputObject);
                break;
            case ByIdSet:
                var id = ObjectIdentifier.TryParse(Id, out var problem);
                if (id is null)
                {
                    WriteError(KvErrorRecords.Create(KvErrorIds.InvalidArgument, ErrorCategory.InvalidArgument,
                        $"'{Id}' is not a Key Vault object identifier: {problem}.", Id));
                    yield break;
                }

                yield return new ObjectTarget(GetClient(id.VaultUri), id.Type, id.Name, id.Version, id.Removed, Id);
                break;
            default:
                var client = GetClient();
                foreach (var type in Type.Distinct())
                {
                    yield return new ObjectTarget(client, type, Name, null, null, Name);
                }

                break;
        }
    }

    /// <summary>"secret 'db' in vault prod": how messages and confirmations name an object.</summary>
    internal static string Describe(ObjectTarget target) =>
        $"{target.Type.Word()} '{target.Name}'{(target.Version is null ? string.Empty : $" version {target.Version}")} in vault {target.Client.VaultName}";
}
