using System.Management.Automation;
using KvArchive.Engine.Storage;
using KvArchive.Engine.Vault;
using KvArchive.Hosting;

namespace KvArchive.Commands;

/// <summary>
/// <para type="synopsis">Lists the archives in an Azure Blob Storage container with what their metadata records.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "KvArchive")]
[OutputType(typeof(ArchiveBlobInfo))]
public sealed class GetKvArchiveCommand : KvCommandBase
{
    /// <summary>The container's URL (a SAS URL, or Azurite's).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public string Container { get; set; } = string.Empty;

    /// <summary>Lists only blobs whose names start with this.</summary>
    [Parameter]
    public string? Prefix { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        try
        {
            foreach (var archive in ArchiveContainer.List(Container, null, Prefix, StopToken))
            {
                WriteObject(archive);
            }
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (KvException e)
        {
            ThrowTerminatingError(KvErrorRecords.Create(e, ArchiveLocation.Display(Container)));
        }
    }
}
