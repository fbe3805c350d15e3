namespace KvArchive.Engine.Vault;

/// <summary>
/// The one rule for which failures end a command and which stay with their object. Cmdlets and transfer
/// sessions both decide from here.
/// </summary>
public static class KvFailurePolicy
{
    /// <summary>
    /// True when the failure concerns the vault or the credential rather than one object, so that every further
    /// object would fail the same way: no valid credential, no such vault, the vault cannot be reached (after the
    /// client's retries). The command stops with one error instead of burying the cause under one per object.
    /// </summary>
    public static bool IsFatal(KvException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Kind is KvErrorKind.Unauthenticated or KvErrorKind.Connection
            || exception.ErrorId is KvErrorIds.InvalidVault or KvErrorIds.VaultUnreachable or KvErrorIds.Unauthenticated;
    }

    /// <summary>
    /// True when a failure during work on one object belongs to that object alone: not a cancellation (the
    /// user's or the run's) and not fatal.
    /// </summary>
    public static bool IsPerObject(KvException exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Kind != KvErrorKind.Cancelled && !cancellationToken.IsCancellationRequested && !IsFatal(exception);
    }
}
