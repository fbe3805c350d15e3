using System.Management.Automation;
using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;
using KvArchive.Hosting;

namespace KvArchive.Commands;

/// <summary>
/// <para type="synopsis">Writes Key Vault backup files (from az CLI, Az PowerShell or the portal) into one archive.</para>
/// </summary>
[Cmdlet(VerbsData.Import, "KvArchiveItem", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = PathSet)]
[OutputType(typeof(ArchiveItem))]
public sealed class ImportKvArchiveItemCommand : KvCommandBase
{
    /// <summary>Files by path, wildcards expanded.</summary>
    public const string PathSet = "Path";
    /// <summary>Files by literal path (and Get-ChildItem's output).</summary>
    public const string LiteralPathSet = "LiteralPath";

    private ArchiveImport? _import;
    private string _destination = string.Empty;

    /// <summary>The backup files; wildcards are supported.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>The backup files, exactly as written (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>The archive to write.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [Alias("ArchivePath")]
    [ValidateNotNullOrEmpty]
    public string DestinationPath { get; set; } = string.Empty;

    /// <summary>The object's name, instead of the one taken from the file name (for a single file).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    // A string, not the engine's enum: a value-type parameter would load the engine when PowerShell reflects over
    // this class at import, before the module's resolver exists.

    /// <summary>The kind of object: needed for a certificate, whose blob looks like a key's.</summary>
    [Parameter]
    [ValidateSet(nameof(KvObjectType.Secret), nameof(KvObjectType.Key), nameof(KvObjectType.Certificate))]
    public string? Type { get; set; }

    /// <summary>Replaces an existing archive at the destination.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        try
        {
            _destination = KvArchivePath.ResolveForWrite(this, DestinationPath, literal: true);
        }
        catch (KvException e)
        {
            ThrowTerminatingError(KvErrorRecords.Create(e, DestinationPath));
        }

        if (!ShouldProcess(_destination, File.Exists(_destination) ? "Replace the archive with imported backup files" : "Write an archive of imported backup files"))
        {
            return;
        }

        try
        {
            _import = ArchiveImport.Create(_destination, Force, DateTimeOffset.UtcNow);
        }
        catch (KvException e)
        {
            ThrowTerminatingError(KvErrorRecords.Create(e, _destination));
        }
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var type = Type is null ? (KvObjectType?)null : Enum.Parse<KvObjectType>(Type, ignoreCase: true);
        foreach (var file in ResolveFiles())
        {
            StopToken.ThrowIfCancellationRequested();
            try
            {
                var backup = RawBackupFile.Read(file, type, Name);
                if (backup.TypeGuessed)
                {
                    WriteWarning($"'{backup.Path}' holds the backup of a key or a certificate (the service frames both alike); it was imported as the key '{backup.Name}'. If it is a certificate, import it with -Type Certificate.");
                }

                if (_import is null)
                {
                    WriteVerbose($"What if: the {backup.Type.ToString().ToLowerInvariant()} '{backup.Name}' from '{backup.Path}' would be imported into '{_destination}'.");
                    continue;
                }

                _import.Add(backup);
                WriteVerbose($"Imported the {backup.Type.ToString().ToLowerInvariant()} '{backup.Name}' from '{backup.Path}'.");
            }
            catch (KvException e)
            {
                WriteKvError(e, file);
            }
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (_import is null)
        {
            return;
        }

        if (_import.Count == 0)
        {
            WriteWarning($"No backup file was imported; nothing was written at '{_destination}'.");
            return;
        }

        try
        {
            _import.Commit(DateTimeOffset.UtcNow);
            _import = null;
            using var reader = ArchiveReader.Open(_destination);
            foreach (var item in reader.Items)
            {
                WriteObject(item);
            }
        }
        catch (KvException e)
        {
            ThrowTerminatingError(KvErrorRecords.Create(e, _destination));
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _import?.Dispose();
            _import = null;
        }

        base.Dispose(disposing);
    }

    private List<string> ResolveFiles()
    {
        var files = new List<string>();
        if (ParameterSetName == LiteralPathSet)
        {
            files.AddRange(LiteralPath.Select(p => GetUnresolvedProviderPathFromPSPath(p)));
            return files;
        }

        foreach (var pattern in Path)
        {
            try
            {
                files.AddRange(GetResolvedProviderPathFromPSPath(pattern, out _));
            }
            catch (ItemNotFoundException e)
            {
                WriteError(new ErrorRecord(e, KvErrorIds.ArchiveNotFound, ErrorCategory.ObjectNotFound, pattern)
                {
                    ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = KvRecommendedActions.For(KvErrorIds.ArchiveNotFound) },
                });
            }
        }

        return files;
    }
}
