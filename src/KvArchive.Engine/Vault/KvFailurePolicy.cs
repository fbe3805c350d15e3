namespace KvArchive.Engine.Vault;

/// <summary>
/// The one rule for which failures end a command and which stay with their object. Cmdlets and transfer
/// sessions both decide from here; the stop rule of a transfer (<see cref="ProbeAfter"/>, <see cref="StopAfter"/>)
/// is applied by the session's <c>VaultHealth</c>.
/// </summary>
/// <remarks>
/// <para>Three classes of failure:</para>
/// <list type="bullet">
/// <item><b>Fatal</b> (<see cref="IsFatal"/>): the credential or the vault itself is wrong — no token, a 401, no such
/// vault, an untrusted TLS certificate. One failure proves every object would fail the same way: the command stops
/// with that one error.</item>
/// <item><b>Transient</b> (<see cref="IsTransient"/>): no answer or an answer of "unavailable" (a reset or refused
/// connection, a timeout, 408/500/502/503/504) after the client's own retries with back-off. In a transfer it stays
/// with its object — that object is Failed with its reason and the run goes on — unless the vault looks gone:
/// <see cref="ProbeAfter"/> different objects of a vault failing this way in a row (no object of that vault
/// answered in between) start one cheap probe (one listing page of the vault); the run stops when the probe fails
/// too, or when <see cref="StopAfter"/> different objects in a row failed this way although the probe answered.</item>
/// <item><b>Per object</b>: everything else the service answers about one object (403, 404, 409, 400, a 429 after
/// every retry): that object fails, the run goes on, and the streak of transient failures is broken — the vault
/// answered.</item>
/// </list>
/// <para>A command of single calls (no transfer) has no streak to judge from: it stops on a fatal or a transient
/// failure (<see cref="EndsCommand"/>), its call having been retried already.</para>
/// </remarks>
public static class KvFailurePolicy
{
    /// <summary>Different objects of one vault failing transiently in a row that start a probe of the vault.</summary>
    public const int ProbeAfter = 5;

    /// <summary>Different objects of one vault failing transiently in a row that end the run even when the probe answers.</summary>
    public const int StopAfter = 20;

    /// <summary>
    /// True when the failure concerns the vault or the credential rather than one object, so that every further
    /// object would fail the same way: no valid credential, no such vault, a TLS certificate that is not trusted.
    /// The command stops with one error instead of burying the cause under one per object.
    /// </summary>
    public static bool IsFatal(KvException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Kind is KvErrorKind.Unauthenticated
            || exception.ErrorId is KvErrorIds.InvalidVault or KvErrorIds.Unauthenticated
            || (exception.Kind == KvErrorKind.Connection && exception.UntrustedCertificate);
    }

    /// <summary>
    /// True when the call got no usable answer after the client's retries (a dropped or refused connection, a
    /// timeout, a 408 or 5xx — a 500 keeps its own id and the service's text): the object may be fine and the vault busy, or the vault may be gone. In a transfer it stays
    /// with its object until the stop rule says the vault is gone.
    /// </summary>
    public static bool IsTransient(KvException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return !IsFatal(exception) && (exception.Kind == KvErrorKind.Connection || exception.Status is 408 or >= 500);
    }

    /// <summary>
    /// True when a failure during work on one object belongs to that object (a transient one subject to the stop
    /// rule): not a cancellation (the user's or the run's) and not fatal.
    /// </summary>
    public static bool IsPerObject(KvException exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Kind != KvErrorKind.Cancelled && !cancellationToken.IsCancellationRequested && !IsFatal(exception);
    }

    /// <summary>For a command of single calls: true when the failure ends the command (fatal, or transient after the client's retries).</summary>
    public static bool EndsCommand(KvException exception) => IsFatal(exception) || IsTransient(exception);
}
