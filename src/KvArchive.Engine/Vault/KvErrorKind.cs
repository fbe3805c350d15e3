namespace KvArchive.Engine.Vault;

/// <summary>What kind of failure a <see cref="KvException"/> is; cmdlets map it to an ErrorCategory.</summary>
public enum KvErrorKind
{
    /// <summary>Anything not covered below.</summary>
    Unknown,
    /// <summary>404: the object (or version) does not exist.</summary>
    NotFound,
    /// <summary>403: the identity lacks the permission, or the operation is not allowed on this object.</summary>
    PermissionDenied,
    /// <summary>409: the name exists, is soft-deleted, or is being deleted/recovered.</summary>
    Conflict,
    /// <summary>429 after every retry.</summary>
    Throttled,
    /// <summary>400: bad input, a blob the vault cannot accept, a limit.</summary>
    InvalidArgument,
    /// <summary>401 or no credential could get a token.</summary>
    Unauthenticated,
    /// <summary>The vault could not be reached (DNS, TLS, connection).</summary>
    Connection,
    /// <summary>An archive is damaged, truncated or of an unsupported format.</summary>
    InvalidData,
    /// <summary>The operation was cancelled by the user.</summary>
    Cancelled,
    /// <summary>The operation cannot go ahead in the current state (e.g. a backup that saved nothing).</summary>
    InvalidOperation,
}
