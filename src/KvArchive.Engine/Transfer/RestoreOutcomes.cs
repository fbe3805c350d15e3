using KvArchive.Engine.Hosting;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>How a restore's entries end: each outcome counts it and holds its record (and error) in the item's scope.</summary>
internal sealed class RestoreOutcomes
{
    public OutcomeCounts<RestoreStatus> Counts { get; } = new();

    /// <summary>The planned entries by what would happen to them.</summary>
    public OutcomeCounts<RestorePlan> Plans { get; } = new();

    public void Restored(RestoreWork work, ItemScope scope) => End(work, scope, RestoreStatus.Restored, null);

    public void Skip(RestoreWork work, ItemScope scope, string reason)
    {
        scope.MarkLight();
        End(work, scope, RestoreStatus.Skipped, reason);
    }

    public void Plan(RestoreWork work, ItemScope scope, RestorePlan plan, string reason)
    {
        Plans.Add(plan, work.Type);
        End(work, scope, RestoreStatus.Planned, reason);
    }

    public void Fail(RestoreWork work, ItemScope scope, KvException error, bool writeError = true)
    {
        if (writeError)
        {
            scope.WriteError(new KvError(error, (object?)work.Item ?? $"{work.Type.Word()} {work.Name}"));
        }

        End(work, scope, RestoreStatus.Failed, error.Message);
    }

    private void End(RestoreWork work, ItemScope scope, RestoreStatus status, string? reason)
    {
        Counts.Add(status, work.Type);
        scope.WriteObject(new RestoreRecord
        {
            Type = work.Type,
            Name = work.Name,
            Status = status,
            Reason = reason,
            TargetVaultUri = work.TargetVaultUri,
            TargetState = work.State,
            Versions = work.Item?.Versions.Count ?? 0,
            ArchivePath = work.ArchivePath,
        });
    }
}
