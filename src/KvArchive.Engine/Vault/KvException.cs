namespace KvArchive.Engine.Vault;

/// <summary>
/// The one exception type the engine lets out. Its message states what failed and on which object, never a
/// secret value, and never names a cmdlet or a parameter: the id and the facts below let the module word the
/// next step in its own terms.
/// </summary>
public sealed class KvException : Exception
{
    /// <summary>Creates an engine failure.</summary>
    public KvException(KvErrorKind kind, string errorId, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        ErrorId = errorId;
    }

    /// <summary>What kind of failure this is.</summary>
    public KvErrorKind Kind { get; }

    /// <summary>A stable identifier (see <see cref="KvErrorIds"/>), used as the PowerShell FullyQualifiedErrorId.</summary>
    public string ErrorId { get; }

    /// <summary>HTTP status of the service's answer, when there was one.</summary>
    public int? Status { get; init; }

    /// <summary>The service's error code (e.g. "SecretNotFound", "Conflict").</summary>
    public string? ServiceCode { get; init; }

    /// <summary>The service's inner error code (e.g. "ObjectIsDeletedButRecoverable", "ForbiddenByRbac").</summary>
    public string? InnerCode { get; init; }

    /// <summary>The kind of object the failure is about, when known.</summary>
    public KvObjectType? ObjectType { get; init; }

    /// <summary>The name of the object the failure is about, when known.</summary>
    public string? ObjectName { get; init; }

    /// <summary>The sign-in that was used, for failures to get or use a token.</summary>
    public KvCredentialKind? CredentialKind { get; init; }

    /// <summary>True when no request was sent because the vault's TLS certificate is not trusted.</summary>
    public bool UntrustedCertificate { get; init; }
}
