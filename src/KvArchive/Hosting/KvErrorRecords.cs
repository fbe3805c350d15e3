using System.Management.Automation;
using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Hosting;

/// <summary>Turns engine failures into PowerShell error records: one mapping, used by every cmdlet.</summary>
internal static class KvErrorRecords
{
    /// <summary>The PowerShell category of an engine failure kind.</summary>
    public static ErrorCategory CategoryOf(KvErrorKind kind) => kind switch
    {
        KvErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        KvErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        KvErrorKind.Conflict => ErrorCategory.ResourceExists,
        KvErrorKind.Throttled => ErrorCategory.LimitsExceeded,
        KvErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        KvErrorKind.Unauthenticated => ErrorCategory.AuthenticationError,
        KvErrorKind.Connection => ErrorCategory.ConnectionError,
        KvErrorKind.InvalidData => ErrorCategory.InvalidData,
        KvErrorKind.Cancelled => ErrorCategory.OperationStopped,
        KvErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        _ => ErrorCategory.NotSpecified,
    };

    /// <summary>
    /// An error record whose id is the engine's stable id, whose target is the failed item and whose recommended
    /// action is the module's wording of the next step for that id.
    /// </summary>
    public static ErrorRecord Create(KvException exception, object? target)
    {
        var record = WithAction(new ErrorRecord(exception, exception.ErrorId, CategoryOf(exception.Kind), target), KvRecommendedActions.For(exception));
        if (target is ArchiveItem && exception.ErrorId == KvErrorIds.ObjectSoftDeleted)
        {
            // An archive entry met a soft-deleted name: the restore itself can purge it first.
            record.ErrorDetails.RecommendedAction =
                "Recover it with Undo-KvObjectRemoval, or restore again with -SoftDeletedPolicy Purge to purge it and restore the archived copy.";
        }

        return record;
    }

    /// <summary>An error record for a failure found by the cmdlet itself (bad arguments, a missing choice).</summary>
    public static ErrorRecord Create(string errorId, ErrorCategory category, string message, object? target, Exception? inner = null)
    {
        var exception = category == ErrorCategory.InvalidArgument
            ? new ArgumentException(message, inner)
            : (Exception)new InvalidOperationException(message, inner);
        return WithAction(new ErrorRecord(exception, errorId, category, target), KvRecommendedActions.For(errorId));
    }

    private static ErrorRecord WithAction(ErrorRecord record, string action)
    {
        // ErrorDetails' message is what PowerShell shows instead of the exception's: the same text, so the record
        // reads the same whether it is shown or inspected.
        record.ErrorDetails = new ErrorDetails(record.Exception.Message) { RecommendedAction = action };
        return record;
    }
}
