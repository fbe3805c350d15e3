using System.Management.Automation;
using KvArchive.Completion;
using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Commands;

/// <summary>
/// <para type="synopsis">Writes archive entries out as Key Vault backup files that az CLI, Az PowerShell and the portal restore.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "KvArchiveItem", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = ByPathSet)]
[OutputType(typeof(FileInfo))]
public sealed class ExportKvArchiveItemCommand : KvCommandBase
{
    /// <summary>An archive file, with optional filters.</summary>
    public const string ByPathSet = "ByPath";
    /// <summary>Entries piped from Get-KvArchiveItem.</summary>
    public const string ByArchiveItemSet = "ByArchiveItem";

    private readonly Dictionary<string, ArchiveReader> _readers = new(StringComparer.Ordinal);

    /// <summary>The archive file.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByPathSet)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Only entries whose name matches (wildcards).</summary>
    [Parameter(ParameterSetName = ByPathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(KvArchiveNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Only these kinds of entries.</summary>
    [Parameter(ParameterSetName = ByPathSet)]
    [ValidateNotNullOrEmpty]
    public KvObjectType[]? Type { get; set; }

    /// <summary>Archive entries from Get-KvArchiveItem.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByArchiveItemSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public ArchiveItem InputObject { get; set; } = null!;

    /// <summary>The folder to write into (the current location by default); each file goes to its entry's path, e.g. secrets/db.blob.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = ".";

    /// <summary>Replaces files that exist.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        string folder;
        try
        {
            folder = KvArchivePath.ResolveForWrite(this, Destination, literal: true);
        }
        catch (KvException e)
        {
            ThrowTerminatingError(Hosting.KvErrorRecords.Create(e, Destination));
            return;
        }

        if (ParameterSetName == ByArchiveItemSet)
        {
            var reader = Reader(InputObject.Path, InputObject);
            if (reader is not null)
            {
                Export(reader, InputObject, folder);
            }

            return;
        }

        string path;
        try
        {
            path = KvArchivePath.ResolveForWrite(this, Path, literal: true);
        }
        catch (KvException e)
        {
            WriteKvError(e, Path);
            return;
        }

        var archive = Reader(path, path);
        if (archive is null)
        {
            return;
        }

        var patterns = Name?.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToArray();
        foreach (var item in archive.Items)
        {
            if ((Type is null || Type.Contains(item.Type)) && (patterns is null || patterns.Any(p => p.IsMatch(item.Name))))
            {
                if (!item.HasBlob)
                {
                    WriteVerbose($"The archive holds no backup of the {item.Type.ToString().ToLowerInvariant()} '{item.Name}' ({item.Status.ToString().ToLowerInvariant()}); nothing to export.");
                    continue;
                }

                Export(archive, item, folder);
            }
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var reader in _readers.Values)
            {
                reader.Dispose();
            }

            _readers.Clear();
        }

        base.Dispose(disposing);
    }

    private void Export(ArchiveReader reader, ArchiveItem item, string folder)
    {
        var target = ArchiveExport.TargetPath(item, folder);
        if (!ShouldProcess(target, $"Export the {item.Type.ToString().ToLowerInvariant()} '{item.Name}' as a backup file"))
        {
            return;
        }

        try
        {
            WriteObject(new FileInfo(ArchiveExport.Write(reader, item, target, Force)));
        }
        catch (KvException e)
        {
            WriteKvError(e, item);
        }
    }

    private ArchiveReader? Reader(string path, object target)
    {
        if (_readers.TryGetValue(path, out var reader))
        {
            return reader;
        }

        try
        {
            reader = ArchiveReader.Open(path);
            _readers[path] = reader;
            return reader;
        }
        catch (KvException e)
        {
            WriteKvError(e, target);
            return null;
        }
    }
}
