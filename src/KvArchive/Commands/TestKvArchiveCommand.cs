using System.Management.Automation;
using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;
using KvArchive.Hosting;

namespace KvArchive.Commands;

/// <summary>
/// <para type="synopsis">Verifies an archive offline: its structure, manifest and every entry's size and SHA-256.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "KvArchive")]
[OutputType(typeof(ArchiveVerification))]
public sealed class TestKvArchiveCommand : KvCommandBase
{
    /// <summary>The archive file.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var path = KvArchivePath.Resolve(this, Path);
        ArchiveVerification result;
        try
        {
            WriteVerbose($"Verifying {path}.");
            result = ArchiveReader.Verify(path, StopToken);
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (KvException e)
        {
            WriteKvError(e, path);
            return;
        }

        WriteObject(result);
        foreach (var problem in result.Errors)
        {
            WriteError(KvErrorRecords.Create(problem.Exception, problem.Target));
        }
    }
}
