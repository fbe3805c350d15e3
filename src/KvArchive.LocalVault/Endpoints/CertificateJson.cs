using System.Text.Json;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Endpoints;

/// <summary>CertificateBundle, DeletedCertificateBundle, CertificateItem, CertificateOperation and CertificatePolicy.</summary>
public static class CertificateJson
{
    /// <summary>The Retry-After the service sends with a 202 create and with an operation still in progress.</summary>
    public const string PendingRetryAfterSeconds = "10";

    public const string InProgressDetails = "Pending certificate created. Certificate request is in progress. This may take some time based on the issuer provider. Please check again later.";

    public static void WriteBundle(Utf8JsonWriter w, Vault vault, ObjectSnapshot<CertificateVersion> s, bool deleted)
    {
        var v = s.Version;
        w.WriteStartObject();
        if (deleted)
        {
            CommonJson.WriteDeletedHeader(w, vault, ObjectKind.Certificate, s);
        }

        w.WriteString("id", CommonJson.Id(vault, ObjectKind.Certificate, s.Name, v.Version));
        if (!v.IsPending)
        {
            w.WriteString("kid", CommonJson.Id(vault, ObjectKind.Key, s.Name, v.Version));
            w.WriteString("sid", CommonJson.Id(vault, ObjectKind.Secret, s.Name, v.Version));
            w.WriteString("x5t", v.X5t);
            w.WriteBase64String("cer", v.Cer);
        }

        CommonJson.WriteAttributes(w, v, vault.Settings);
        if (!v.IsPending || v.Tags is { Count: > 0 })
        {
            CommonJson.WriteTags(w, v.Tags ?? new Dictionary<string, string>());
        }
        if (s.PolicyJson is not null)
        {
            w.WritePropertyName("policy");
            WritePolicy(w, vault, s.Name, s.PolicyJson);
        }

        if (s.HasPending)
        {
            w.WriteStartObject("pending");
            w.WriteString("id", CommonJson.Id(vault, ObjectKind.Certificate, s.Name) + "/pending");
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    public static void WriteItem(Utf8JsonWriter w, Vault vault, ObjectSnapshot<CertificateVersion> s, bool withVersion, bool deleted)
    {
        var v = s.Version;
        w.WriteStartObject();
        if (deleted)
        {
            CommonJson.WriteDeletedHeader(w, vault, ObjectKind.Certificate, s);
        }

        w.WriteString("id", CommonJson.Id(vault, ObjectKind.Certificate, s.Name, withVersion ? v.Version : null));
        if (!v.IsPending)
        {
            w.WriteString("x5t", v.X5t);
        }

        CommonJson.WriteAttributes(w, v, vault.Settings);
        CommonJson.WriteTags(w, v.Tags ?? new Dictionary<string, string>());

        // The service sends an empty subject in list items.
        w.WriteString("subject", "");
        w.WriteEndObject();
    }

    /// <summary>The policy object with its "id".</summary>
    public static void WritePolicy(Utf8JsonWriter w, Vault vault, string name, string policyJson)
    {
        w.WriteStartObject();
        w.WriteString("id", CommonJson.Id(vault, ObjectKind.Certificate, name) + "/policy");
        using var doc = JsonDocument.Parse(policyJson);
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            p.WriteTo(w);
        }

        w.WriteEndObject();
    }

    /// <summary>A CertificateOperation (the /pending resource).</summary>
    public static void WriteOperation(Utf8JsonWriter w, Vault vault, string name, OperationSnapshot op)
    {
        w.WriteStartObject();
        w.WriteString("id", CommonJson.Id(vault, ObjectKind.Certificate, name) + "/pending");
        w.WriteStartObject("issuer");
        w.WriteString("name", op.IssuerName);
        w.WriteEndObject();
        w.WriteString("csr", op.Csr);
        w.WriteBoolean("cancellation_requested", op.CancellationRequested);
        w.WriteString("status", op.Status);
        if (op.Status == "inProgress")
        {
            w.WriteString("status_details", InProgressDetails);
        }
        else if (op.Status == "completed")
        {
            w.WriteString("target", CommonJson.Id(vault, ObjectKind.Certificate, name));
        }
        else if (op.Status == "cancelled")
        {
            w.WriteString("status_details", "Pending certificate was cancelled.");
        }

        w.WriteString("request_id", op.RequestId);
        w.WriteEndObject();
    }

    /// <summary>A pending operation's state as of a moment (the operation itself is mutable).</summary>
    public sealed record OperationSnapshot(string IssuerName, string Csr, bool CancellationRequested, string Status, string RequestId)
    {
        public static OperationSnapshot Of(PendingCertificateOperation op) => new(op.IssuerName, op.Csr, op.CancellationRequested, op.Status, op.RequestId);
    }
}
