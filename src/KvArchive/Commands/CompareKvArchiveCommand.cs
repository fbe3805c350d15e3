using System.Management.Automation;
using KvArchive.Engine.Archive;
using KvArchive.Engine.Transfer;
using KvArchive.Engine.Vault;
using KvArchive.Hosting;

namespace KvArchive.Commands;

/// <summary>
/// <para type="synopsis">Compares an archive with a vault (or with another archive): what was added, removed or changed since.</para>
/// </summary>
[Cmdlet(VerbsData.Compare, "KvArchive", DefaultParameterSetName = VaultSet)]
[OutputType(typeof(KvDifference))]
public sealed class CompareKvArchiveCommand : KvVaultCommandBase
{
    /// <summary>An archive against a vault.</summary>
    public const string VaultSet = "Vault";
    /// <summary>An archive against another archive.</summary>
    public const string ArchiveSet = "Archive";

    /// <summary>The reference archive.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [Alias("ReferencePath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>A second archive to compare the reference with, instead of a vault.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ArchiveSet)]
    [ValidateNotNullOrEmpty]
    public string DifferencePath { get; set; } = string.Empty;

    /// <summary>Which kinds of objects; all three when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public KvObjectType[] Type { get; set; } = [KvObjectType.Certificate, KvObjectType.Key, KvObjectType.Secret];

    /// <summary>Also writes the objects that are alike (state Unchanged).</summary>
    [Parameter]
    public SwitchParameter IncludeEqual { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var path = Path;
        try
        {
            path = KvArchivePath.ResolveForWrite(this, Path, literal: true);
            using var reference = ArchiveReader.Open(path, BuildStorageOptions());
            IReadOnlyList<KvDifference> differences;
            if (ParameterSetName == ArchiveSet)
            {
                using var other = ArchiveReader.Open(KvArchivePath.ResolveForWrite(this, DifferencePath, literal: true), BuildStorageOptions());
                differences = ArchiveComparison.Between(reference, other, Type.Distinct(), IncludeEqual);
            }
            else
            {
                var client = GetClient();
                var comparison = ArchiveComparison.ForVault(reference, client.VaultUri, Type.Distinct(), IncludeEqual);
                foreach (var type in Type.Distinct())
                {
                    WriteVerbose($"Listing the {type.ToString().ToLowerInvariant()}s of {client.VaultUri}.");
                    Stream(client.ListAsync(type, StopToken), comparison.AddListed);
                }

                differences = comparison.Complete();
            }

            foreach (var difference in differences)
            {
                WriteObject(difference);
            }
        }
        catch (KvException e) when (e.Kind == KvErrorKind.Cancelled && StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (KvException e)
        {
            ThrowTerminatingError(KvErrorRecords.Create(e, Engine.Storage.ArchiveLocation.Display(path)));
        }
    }
}
