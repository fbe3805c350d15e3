using System.Net.Sockets;
using System.Security.Authentication;
using Azure;
using Azure.Identity;
using KvArchive.Engine.Connection;

namespace KvArchive.Engine.Vault;

/// <summary>
/// The one place that turns SDK, REST, credential and transport failures into <see cref="KvException"/>s whose
/// messages name the object and what went wrong (the module words the next step from the id). Messages carry the service's own message at most, never a request
/// body or a secret value.
/// </summary>
internal static class KvErrorMapper
{
    private const int MaxServiceMessage = 400;

    /// <summary>Maps any exception thrown by a vault call.</summary>
    public static KvException Map(Exception exception, in ErrorContext context)
    {
        switch (exception)
        {
            case KvException kv:
                return kv;
            case AggregateException { InnerExceptions.Count: > 0 } retries:
                // Azure.Core's retry policy gives up with every attempt's failure; the last one is the verdict.
                return Map(retries.Flatten().InnerExceptions[^1], context);
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return Create(KvErrorKind.Cancelled, KvErrorIds.Cancelled, $"{Capitalize(OperationPhrase(context))} was cancelled.", exception, context);
            case AuthenticationFailedException or CredentialUnavailableException:
                return Unauthenticated(exception, context);
            case RequestFailedException { Status: 0 } transport:
                return FindCredentialFailure(transport) is { } credentialFailure
                    ? Unauthenticated(credentialFailure, context)
                    : Transport(transport, context);
            case RequestFailedException failed:
                return FromService(ServiceError.From(failed), failed, context);
            case HttpRequestException or IOException or SocketException or AuthenticationException or OperationCanceledException:
                return Transport(exception, context);
            default:
                if (FindCredentialFailure(exception) is { } inner)
                {
                    return Unauthenticated(inner, context);
                }

                return Create(KvErrorKind.Unknown, KvErrorIds.Unknown, $"{Capitalize(OperationPhrase(context))} failed: {exception.GetType().Name}: {Trim(exception.Message)}", exception, context);
        }
    }

    /// <summary>Maps a service's error answer.</summary>
    public static KvException FromService(ServiceError error, Exception? inner, in ErrorContext context)
    {
        var vault = context.Vault.Name;
        var subject = Subject(context);
        var said = string.IsNullOrWhiteSpace(error.Message) ? string.Empty : $" The service said: {Trim(error.Message)}";
        var word = context.Type is { } t ? t.Word() : "object";
        var code = error.Code ?? string.Empty;
        var innerCode = error.InnerCode ?? string.Empty;
        var message = error.Message ?? string.Empty;

        switch (error.Status)
        {
            case 404 when code.Equals("VaultNotFound", StringComparison.OrdinalIgnoreCase):
                return Create(KvErrorKind.NotFound, KvErrorIds.InvalidVault, error, $"Vault '{vault}' does not exist at {context.Vault.Uri}.", inner, context);

            case 404 when context.Operation is VaultOperation.GetDeleted or VaultOperation.Recover or VaultOperation.Purge:
                return Create(KvErrorKind.NotFound, KvErrorIds.ObjectNotFound, error, $"No deleted {word} named '{context.Name}' was found in vault '{vault}'.", inner, context);

            case 404 when context.Version is not null:
                return Create(KvErrorKind.NotFound, KvErrorIds.ObjectNotFound, error, $"Version '{context.Version}' of {word} '{context.Name}' was not found in vault '{vault}'.", inner, context);

            case 404:
                return Create(KvErrorKind.NotFound, KvErrorIds.ObjectNotFound, error, $"{Capitalize(subject)} was not found in vault '{vault}'.", inner, context);

            case 401:
                return Create(KvErrorKind.Unauthenticated, KvErrorIds.Unauthenticated, error,
                    $"Vault '{vault}' did not accept the token of {CredentialFactory.Describe(context.CredentialKind)} (401).{said}", inner, context);

            case 403 when Is(innerCode, "SecretDisabled") || Is(code, "SecretDisabled"):
                return Create(KvErrorKind.PermissionDenied, KvErrorIds.SecretDisabled, error,
                    $"{Capitalize(subject)} in vault '{vault}' is disabled, so its value cannot be read.", inner, context);

            case 403 when context.Operation == VaultOperation.Backup && (Contains(message, "associated with a certificate") || Contains(message, "managed")):
                return Create(KvErrorKind.PermissionDenied, KvErrorIds.ManagedObject, error,
                    $"{Capitalize(subject)} in vault '{vault}' belongs to a certificate and cannot be backed up on its own; back up the certificate '{context.Name}' instead.", inner, context);

            case 403 when context.Operation == VaultOperation.Purge && Contains(message, "purge protection"):
                return Create(KvErrorKind.PermissionDenied, KvErrorIds.PermissionDenied, error,
                    $"Vault '{vault}' has purge protection: the deleted {word} '{context.Name}' cannot be purged; the service removes it on its scheduled purge date, and until then it can only be recovered.", inner, context);

            case 403:
                return Create(KvErrorKind.PermissionDenied, KvErrorIds.PermissionDenied, error, PermissionMessage(context) + said, inner, context);

            case 409 when Is(innerCode, "ObjectIsDeletedButRecoverable") || Contains(message, "deleted but recoverable"):
                return Create(KvErrorKind.Conflict, KvErrorIds.ObjectSoftDeleted, error, SoftDeletedMessage(context, word), inner, context);

            case 409 when Is(innerCode, "ObjectIsBeingDeleted") || Contains(message, "being deleted"):
                return Create(KvErrorKind.Conflict, KvErrorIds.ObjectBeingDeleted, error,
                    $"{NameOrBackup(context, word)} in vault '{vault}' is being deleted; wait a few seconds and retry.", inner, context);

            case 409 when Is(innerCode, "ObjectIsBeingRecovered") || Contains(message, "being recovered"):
                return Create(KvErrorKind.Conflict, KvErrorIds.ObjectBeingRecovered, error,
                    $"{NameOrBackup(context, word)} in vault '{vault}' is being recovered; wait a few seconds and retry.", inner, context);

            case 409 when context.Operation == VaultOperation.Restore:
                return Create(KvErrorKind.Conflict, KvErrorIds.ObjectExists, error,
                    $"The {word} in the backup already exists in vault '{vault}'.{said}", inner, context);

            case 409:
                return Create(KvErrorKind.Conflict, KvErrorIds.ObjectExists, error,
                    $"A {word} named '{context.Name}' already exists in vault '{vault}' or is being changed concurrently.{said}", inner, context);

            case 429:
                return Create(KvErrorKind.Throttled, KvErrorIds.Throttled, error,
                    $"Vault '{vault}' kept throttling requests (429) through {context.MaxRetries} retries while {OperationPhrase(context)}; Key Vault allows about 4,000 operations per 10 seconds per vault.", inner, context);

            case 400 when context.Operation == VaultOperation.Restore:
                return Create(KvErrorKind.InvalidArgument, KvErrorIds.BackupRejected, error,
                    $"Vault '{vault}' rejected the {word} backup blob.{said} A backup restores only into a vault of the same Azure subscription and geography, and only unaltered.", inner, context);

            case 400 when context.Operation == VaultOperation.Backup && Contains(message, "version"):
                return Create(KvErrorKind.InvalidArgument, KvErrorIds.TooManyVersions, error,
                    $"{Capitalize(subject)} in vault '{vault}' has more versions than a backup can hold, so the service refuses to back it up.{said}", inner, context);

            case 400 when Is(code, "BadParameter") && Contains(message, "api-version"):
                return Create(KvErrorKind.InvalidArgument, KvErrorIds.InvalidVault, error,
                    $"Vault '{vault}' does not support the api-version KvArchive uses.{said}", inner, context);

            case 400:
                return Create(KvErrorKind.InvalidArgument, KvErrorIds.InvalidArgument, error,
                    $"Vault '{vault}' refused {OperationPhrase(context)}.{said}", inner, context);

            case 408 or 502 or 503 or 504:
                return Create(KvErrorKind.Connection, KvErrorIds.VaultUnreachable, error,
                    $"Vault '{vault}' answered {error.Status} through {Math.Min(context.MaxRetries, VaultRetryPolicy.DefaultServerErrorRetries)} retries while {OperationPhrase(context)}; the service is unavailable. Retry later.", inner, context);

            default:
                return Create(KvErrorKind.Unknown, KvErrorIds.Unknown, error,
                    $"Vault '{vault}' answered {error.Status} {code} while {OperationPhrase(context)}.{said}", inner, context);
        }
    }

    private static KvException Unauthenticated(Exception exception, in ErrorContext context)
    {
        // The default chain lists every source's failure on its own line; keep them, on one line.
        var reason = Trim(string.Join(' ', exception.Message.Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        if (!reason.EndsWith('.'))
        {
            reason += ".";
        }

        return Create(
            KvErrorKind.Unauthenticated,
            KvErrorIds.Unauthenticated,
            $"Could not get a token for vault '{context.Vault.Name}' from {CredentialFactory.Describe(context.CredentialKind)}: {reason}",
            exception,
            context);
    }

    private static KvException Transport(Exception exception, in ErrorContext context)
    {
        var vault = context.Vault.Name;
        if (Find<AuthenticationException>(exception) is not null)
        {
            return new KvException(KvErrorKind.Connection, KvErrorIds.VaultUnreachable,
                $"The TLS certificate of vault '{vault}' ({context.Vault.Uri.Host}) is not trusted, so no request was sent. For LocalVault set $env:{TrustedRoot.EnvironmentVariable} to its certificate file.", exception)
            {
                ObjectType = context.Type,
                ObjectName = context.Name,
                CredentialKind = context.CredentialKind,
                UntrustedCertificate = true,
            };
        }

        if (exception is OperationCanceledException || Find<TimeoutException>(exception) is not null)
        {
            return Create(KvErrorKind.Connection, KvErrorIds.VaultUnreachable,
                $"Vault '{vault}' did not answer in time while {OperationPhrase(context)} (through {context.MaxRetries} retries).",
                exception, context);
        }

        var socket = Find<SocketException>(exception);
        var why = socket is not null ? socket.Message : FirstLine(Innermost(exception).Message);
        return Create(KvErrorKind.Connection, KvErrorIds.VaultUnreachable,
            $"Vault '{vault}' at {context.Vault.Uri} could not be reached ({why}).",
            exception, context);
    }

    private static string PermissionMessage(in ErrorContext context)
    {
        var type = context.Type ?? KvObjectType.Secret;
        var collection = ObjectPaths.Collection(type);
        var permission = context.Operation switch
        {
            VaultOperation.List or VaultOperation.ListVersions or VaultOperation.ListDeleted or VaultOperation.GetDeleted => "list",
            VaultOperation.Get or VaultOperation.GetSecretValue => "get",
            VaultOperation.Update => type == KvObjectType.Secret ? "set" : "update",
            VaultOperation.Delete => "delete",
            VaultOperation.Recover => "recover",
            VaultOperation.Purge => "purge",
            VaultOperation.Backup => "backup",
            VaultOperation.Restore => "restore",
            VaultOperation.SetSecret => "set",
            VaultOperation.CreateKey => "create",
            _ => "get",
        };
        var role = type switch
        {
            KvObjectType.Secret when context.Operation == VaultOperation.GetSecretValue => "Key Vault Secrets User",
            KvObjectType.Secret => "Key Vault Secrets Officer",
            KvObjectType.Key => "Key Vault Crypto Officer",
            _ => "Key Vault Certificates Officer",
        };
        return $"The signed-in identity lacks the permission '{collection}/{permission}' needed for {OperationPhrase(context)} in vault '{context.Vault.Name}'. Grant it with Azure RBAC (e.g. the '{role}' role) or an access policy.";
    }

    private static string SoftDeletedMessage(in ErrorContext context, string word)
    {
        var what = context.Name is null ? $"A deleted {word} with the name in the backup" : $"A deleted {word} named '{context.Name}'";
        return $"{what} exists in vault '{context.Vault.Name}' (soft-deleted), so the name cannot be used until it is recovered or purged.";
    }

    private static string NameOrBackup(in ErrorContext context, string word)
        => context.Name is null ? $"The {word} in the backup" : $"{Capitalize(word)} '{context.Name}'";

    private static string Subject(in ErrorContext context)
    {
        var word = context.Type is { } t ? t.Word() : "object";
        return context.Name is null ? word : $"{word} '{context.Name}'";
    }

    /// <summary>"backing up secret 'x'" and the like, for "... while {phrase}".</summary>
    private static string OperationPhrase(in ErrorContext context)
    {
        var subject = Subject(context);
        var word = context.Type is { } t ? t.Word() : "object";
        return context.Operation switch
        {
            VaultOperation.List => $"listing {word}s",
            VaultOperation.ListVersions => $"listing the versions of {subject}",
            VaultOperation.ListDeleted => $"listing deleted {word}s",
            VaultOperation.Get => $"reading {subject}",
            VaultOperation.GetDeleted => $"reading deleted {subject}",
            VaultOperation.Update => $"updating {subject}",
            VaultOperation.Delete => $"deleting {subject}",
            VaultOperation.Recover => $"recovering {subject}",
            VaultOperation.Purge => $"purging {subject}",
            VaultOperation.Backup => $"backing up {subject}",
            VaultOperation.Restore => $"restoring a {word} backup",
            VaultOperation.SetSecret => $"setting {subject}",
            VaultOperation.GetSecretValue => $"reading the value of {subject}",
            VaultOperation.CreateKey => $"creating {subject}",
            _ => "calling the vault",
        };
    }

    private static KvException Create(KvErrorKind kind, string id, ServiceError error, string message, Exception? inner, in ErrorContext context)
        => new(kind, id, message, inner)
        {
            Status = error.Status,
            ServiceCode = error.Code,
            InnerCode = error.InnerCode,
            ObjectType = context.Type,
            ObjectName = context.Name,
            CredentialKind = context.CredentialKind,
        };

    private static KvException Create(KvErrorKind kind, string id, string message, Exception? inner, in ErrorContext context)
        => new(kind, id, message, inner) { ObjectType = context.Type, ObjectName = context.Name, CredentialKind = context.CredentialKind };

    private static Exception? FindCredentialFailure(Exception exception)
        => (Exception?)Find<AuthenticationFailedException>(exception) ?? Find<CredentialUnavailableException>(exception);

    private static T? Find<T>(Exception exception) where T : Exception
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }

            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    if (Find<T>(inner) is { } found)
                    {
                        return found;
                    }
                }
            }
        }

        return null;
    }

    private static Exception Innermost(Exception exception)
    {
        var e = exception;
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    private static bool Is(string value, string expected) => value.Equals(expected, StringComparison.OrdinalIgnoreCase);

    private static bool Contains(string value, string part) => value.Contains(part, StringComparison.OrdinalIgnoreCase);

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return Trim(line);
    }

    private static string Trim(string text)
    {
        text = text.Trim();
        return text.Length <= MaxServiceMessage ? text : text[..MaxServiceMessage] + "…";
    }
}
