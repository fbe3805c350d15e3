using System.Text.Json.Serialization;

namespace KvArchive.LocalVault.Store;

/// <summary>A certificate create operation: "inProgress" until it completes (or forever for an "Unknown" issuer).</summary>
public sealed class PendingCertificateOperation
{
    public required string RequestId { get; set; }

    /// <summary>Base64 DER of the certificate signing request.</summary>
    public required string Csr { get; set; }

    public required string IssuerName { get; set; }

    /// <summary>"inProgress", "completed" or "cancelled".</summary>
    public string Status { get; set; } = "inProgress";

    public bool CancellationRequested { get; set; }

    /// <summary>Monotonic milliseconds when the operation completes.</summary>
    [JsonIgnore]
    public long CompletesAtMs { get; set; }

    /// <summary>
    /// Versions created by the operation, committed when it completes. For an issuer other than Self only
    /// <see cref="Key"/> is set while in progress: the key the CSR was made with, which a merge pairs with the signed
    /// certificate.
    /// </summary>
    public CertificateVersion? Certificate { get; set; }

    public KeyVersion? Key { get; set; }

    public SecretVersion? Secret { get; set; }

    /// <summary>
    /// A cancellation request (PATCH cancellation_requested): the service answers it with the operation still
    /// "inProgress" and cancellation_requested true (recorded), and the operation no longer completes.
    /// </summary>
    public void RequestCancellation() => CancellationRequested = true;

    /// <summary>Ends the operation as cancelled: the versions it would have created are dropped.</summary>
    public void Cancel()
    {
        CancellationRequested = true;
        Status = "cancelled";
        Certificate = null;
        Key = null;
        Secret = null;
    }
}
