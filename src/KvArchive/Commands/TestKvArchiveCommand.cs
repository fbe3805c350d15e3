using System.Management.Automation;
using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;
using KvArchive.Hosting;

namespace KvArchive.Commands;

/// <summary>
/// <para type="synopsis">Verifies an archive offline: its structure, manifest and every entry's size and SHA-256.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "KvArchive", DefaultParameterSetName = PathSet)]
[OutputType(typeof(ArchiveVerification))]
public sealed class TestKvArchiveCommand : KvCommandBase
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

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var literal = ParameterSetName == LiteralPathSet;
        IReadOnlyList<string> paths;
        try
        {
            paths = KvArchivePath.ResolveForRead(this, literal ? LiteralPath : Path, literal);
        }
        catch (KvException e)
        {
            WriteKvError(e, Engine.Storage.ArchiveLocation.Display(literal ? LiteralPath : Path));
            return;
        }

        foreach (var path in paths)
        {
            Verify(path);
        }
    }

    private void Verify(string path)
    {
        ArchiveVerification result;
        try
        {
            WriteVerbose($"Verifying {Engine.Storage.ArchiveLocation.Display(path)}.");
            result = ArchiveReader.Verify(path, null, StopToken);
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (KvException e)
        {
            WriteKvError(e, Engine.Storage.ArchiveLocation.Display(path));
            return;
        }

        WriteObject(result);
        foreach (var problem in result.Errors)
        {
            WriteError(KvErrorRecords.Create(problem.Exception, problem.Target));
        }
    }
}
