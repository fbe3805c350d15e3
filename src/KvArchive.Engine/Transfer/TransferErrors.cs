using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Transfer;

/// <summary>Which failures end a whole backup or restore instead of one object.</summary>
internal static class TransferErrors
{
    /// <summary>
    /// No object of the vault can succeed: no valid credential, no such vault, the vault cannot be reached
    /// (after the client's retries). Reporting it once per object would bury the cause under hundreds of errors.
    /// </summary>
    public static bool IsFatal(KvException e)
        => e.Kind is KvErrorKind.Unauthenticated or KvErrorKind.Connection || e.ErrorId == KvErrorIds.InvalidVault;
}
