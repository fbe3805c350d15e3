using System.Management.Automation;
using KvArchive.Completion;
using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Commands;

/// <summary>
/// <para type="synopsis">Lists the objects an archive holds (metadata only), for inspection or to pipe into Restore-KvObject.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "KvArchiveItem")]
[OutputType(typeof(ArchiveItem))]
public sealed class GetKvArchiveItemCommand : KvCommandBase
{
    /// <summary>The archive file.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Only objects whose name matches (wildcards).</summary>
    [Parameter(Position = 1)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(KvArchiveNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Only these kinds of objects.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public KvObjectType[]? Type { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var path = KvArchivePath.Resolve(this, Path);
        var patterns = Name?.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToArray();
        try
        {
            using var reader = ArchiveReader.Open(path);
            foreach (var item in reader.Items)
            {
                if ((Type is null || Type.Contains(item.Type)) && (patterns is null || patterns.Any(p => p.IsMatch(item.Name))))
                {
                    WriteObject(item);
                }
            }
        }
        catch (KvException e)
        {
            WriteKvError(e, path);
        }
    }
}
