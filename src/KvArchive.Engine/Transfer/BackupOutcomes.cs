using KvArchive.Engine.Archive;
using KvArchive.Engine.Hosting;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>
/// How a backup's objects end: each outcome writes its manifest row (and blob), counts it, and holds its
/// record (and error or warning) in the item's scope, released in input order.
/// </summary>
internal sealed class BackupOutcomes(ArchiveWriter writer)
{
    public OutcomeCounts<BackupStatus> Counts { get; } = new();

    public string Path => writer.Path;

    public void Save(BackupWork work, ItemScope scope, List<KvObject>? versions, byte[] blob, DateTimeOffset takenOn, bool changed, string? reason)
    {
        var status = changed ? ArchiveEntryStatus.Changed : ArchiveEntryStatus.Saved;
        var document = ArchiveMapping.ToDocument(work.Type, work.Name, work.VaultUri, work.Listed, versions, status, reason);
        document.BackedUpOn = takenOn;
        var row = writer.WriteEntry(document, blob);
        End(work, scope, changed ? BackupStatus.Changed : BackupStatus.Saved, reason, versions?.Count, row.Size, row.Sha256);
    }

    /// <summary>Saves an object backed up with one request, described by its listing item (current version only).</summary>
    public void SaveListed(BackupWork work, ItemScope scope, byte[] blob, DateTimeOffset takenOn)
    {
        var document = ArchiveMapping.ToDocument(work.Type, work.Name, work.VaultUri, work.Listed, null, ArchiveEntryStatus.Saved, null);
        document.BackedUpOn = takenOn;
        var row = writer.WriteEntry(document, blob);
        End(work, scope, BackupStatus.Saved, null, 0, row.Size, row.Sha256);
    }

    /// <summary>Copies an unchanged entry from the base archive: its description and blob as they are (its backup time kept).</summary>
    public void Copy(BackupWork work, ItemScope scope, ArchiveItem item, byte[] blob)
    {
        var document = item.Row.ForHeader();
        var row = writer.WriteEntry(document, blob);
        var reason = work.Base?.IsResumePoint == true
            ? $"Saved on {item.BackedUpOn:u} by the interrupted backup and unchanged since; kept."
            : $"Unchanged since {item.BackedUpOn:u}; copied from the base archive.";
        End(work, scope, BackupStatus.Copied, reason, item.Versions.Count, row.Size, row.Sha256);
    }

    /// <summary>Records an object of the base archive that the vault no longer lists: a row without a blob, not carried forward.</summary>
    public void Deleted(BackupWork work, ItemScope scope, ArchiveItem item, string basePath)
    {
        var reason = $"Deleted since the base archive '{basePath}' (backed up there on {item.BackedUpOn:u}); not carried forward.";
        var document = item.Row.ForHeader();
        document.Status = ArchiveEntryStatus.Skipped;
        document.Reason = reason;
        document.ErrorId = null;
        writer.RecordWithoutBlob(document);
        End(work, scope, BackupStatus.Deleted, reason);
    }

    public void SkipManaged(BackupWork work, ItemScope scope)
    {
        scope.MarkLight();
        var reason = $"Managed by the certificate '{work.Name}': the certificate's backup carries this {work.Type.Word()}.";
        writer.RecordWithoutBlob(ArchiveMapping.ToDocument(work.Type, work.Name, work.VaultUri, work.Listed, null, ArchiveEntryStatus.Skipped, reason, managed: true));
        End(work, scope, BackupStatus.Skipped, reason);
    }

    public void SkipDuplicate(BackupWork work, ItemScope scope)
    {
        scope.MarkLight();
        End(work, scope, BackupStatus.Skipped, "Listed more than once; backed up once.");
    }

    public void Fail(BackupWork work, ItemScope scope, KvException error, List<KvObject>? versions)
    {
        var known = versions is { Count: <= ArchiveFormat.MaxVersions } ? versions : null;
        var document = ArchiveMapping.ToDocument(work.Type, work.Name, work.VaultUri, work.Listed, known, ArchiveEntryStatus.Failed, error.Message);
        document.ErrorId = error.ErrorId;
        writer.RecordWithoutBlob(document);
        scope.WriteError(new KvError(error, work.Target));
        End(work, scope, BackupStatus.Failed, error.Message, versions?.Count ?? 0);
    }

    /// <summary>
    /// Something asked for that yields no object (a name not found; a kind whose listing was refused): no row, but
    /// the manifest records it as not saved, and its error is reported in input order.
    /// </summary>
    public void NotListed(BackupWork work, ItemScope scope, KvException error)
    {
        writer.RecordProblem(new ArchiveProblemDocument { VaultUri = work.VaultUri, Kind = work.Type, Name = work.Name, ErrorId = error.ErrorId, Reason = error.Message });
        scope.WriteError(new KvError(error, work.Target));
    }

    private void End(BackupWork work, ItemScope scope, BackupStatus status, string? reason, int? versions = 0, long size = 0, string? sha256 = null)
    {
        Counts.Add(status, work.Type);
        scope.WriteObject(new BackupRecord
        {
            Type = work.Type,
            Name = work.Name,
            Status = status,
            Reason = reason,
            Versions = versions,
            Size = size,
            Sha256 = sha256,
            VaultUri = work.VaultUri,
            ArchivePath = writer.Path,
        });
    }
}
