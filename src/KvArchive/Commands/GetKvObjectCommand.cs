using System.Collections.Concurrent;
using System.Management.Automation;
using KvArchive.Completion;
using KvArchive.Engine.Vault;
using KvArchive.Hosting;

namespace KvArchive.Commands;

/// <summary>
/// <para type="synopsis">Lists the secrets, keys and certificates of a vault (properties only, never values).</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "KvObject")]
[OutputType(typeof(KvObject))]
public sealed class GetKvObjectCommand : KvVaultCommandBase
{
    /// <summary>Names to get; wildcards list and filter, plain names are read directly.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(KvNameCompleter))]
    public string[] Name { get; set; } = ["*"];

    /// <summary>Which kinds of objects; all three when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public KvObjectType[] Type { get; set; } = [KvObjectType.Secret, KvObjectType.Key, KvObjectType.Certificate];

    /// <summary>Every version of each object instead of only the latest.</summary>
    [Parameter]
    public SwitchParameter IncludeVersions { get; set; }

    /// <summary>Soft-deleted objects instead of live ones.</summary>
    [Parameter]
    public SwitchParameter InRemovedState { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        if (IncludeVersions && InRemovedState)
        {
            ThrowTerminatingError(KvErrorRecords.Create(KvErrorIds.InvalidArgument, ErrorCategory.InvalidArgument,
                "-IncludeVersions and -InRemovedState cannot be combined: Key Vault keeps no version list of removed objects.", null));
        }
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var client = GetClient();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var refusedKinds = new HashSet<KvObjectType?>();
        foreach (var name in Name.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var query = new KvObjectQuery
            {
                Types = Type.Distinct().ToArray(),
                Name = name,
                IncludeVersions = IncludeVersions,
                InRemovedState = InRemovedState,
            };
            // A kind the identity may not read is one error naming the permission; the other kinds are still listed.
            var refused = new ConcurrentQueue<KvException>();
            try
            {
                Stream(client.QueryAsync(query, refused.Enqueue, StopToken), item =>
                {
                    // Overlapping patterns (-Name db-*, *-password) name some objects twice; write each once.
                    if (seen.Add($"{item.Type}|{item.Deleted}|{item.Id}"))
                    {
                        WriteObject(item);
                    }
                });
            }
            catch (KvException e)
            {
                WriteKvError(e, name);
            }

            while (refused.TryDequeue(out var e))
            {
                if (refusedKinds.Add(e.ObjectType))
                {
                    WriteKvError(e, e.ObjectType ?? (object)name);
                }
            }
        }
    }
}
