using System.Management.Automation;
using KvArchive.Completion;
using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Commands;

/// <summary>
/// <para type="synopsis">Lists the objects an archive holds (metadata only), for inspection or to pipe into Restore-KvObject.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "KvArchiveItem", DefaultParameterSetName = PathSet)]
[OutputType(typeof(ArchiveItem))]
public sealed class GetKvArchiveItemCommand : KvCommandBase
{
    /// <summary>Archive files by path; wildcards are expanded.</summary>
    public const string PathSet = "Path";
    /// <summary>An archive file by its exact path.</summary>
    public const string LiteralPathSet = "LiteralPath";

    /// <summary>The archive file; wildcards are supported.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [Alias("FullName")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>The archive file, taken exactly as typed (no wildcards).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = string.Empty;

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
        var literal = ParameterSetName == LiteralPathSet;
        var given = literal ? LiteralPath : Path;
        var patterns = Name?.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToArray();
        IReadOnlyList<string> paths;
        try
        {
            paths = KvArchivePath.ResolveForRead(this, given, literal);
        }
        catch (KvException e)
        {
            WriteKvError(e, given);
            return;
        }

        foreach (var path in paths)
        {
            try
            {
                using var reader = ArchiveReader.Open(path, null);
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
                WriteKvError(e, Engine.Storage.ArchiveLocation.Display(path));
            }
        }
    }
}
