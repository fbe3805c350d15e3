namespace KvArchive.LocalVault.Store;

/// <summary>A certificate, its versions, its policy and its pending operation.</summary>
public sealed class CertificateEntry : VersionedEntry<CertificateVersion>
{
    /// <summary>The policy as JSON text, without its "id" (added on output).</summary>
    public string PolicyJson { get; set; } = "{}";

    /// <summary>The last create operation (kept after completion, as the service does).</summary>
    public PendingCertificateOperation? Pending { get; set; }

    /// <summary>Removes the placeholder versions of creates in progress (see <see cref="CertificateVersion.IsPending"/>).</summary>
    public void RemovePlaceholders() => Versions.RemoveAll(v => v.IsPending);

    /// <summary>True when the pending operation has reached its completion time and not yet committed.</summary>
    public bool PendingIsDue(long nowMs) => Pending is { Status: "inProgress", CancellationRequested: false, Certificate: not null } p && nowMs >= p.CompletesAtMs;
}
