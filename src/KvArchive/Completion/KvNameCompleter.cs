using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Security;

namespace KvArchive.Completion;

/// <summary>
/// Completes -Name from the vault the command line names (-VaultName or -VaultUri, with its credential
/// parameters), listing the vault once and keeping the names for <see cref="NameCache.Lifetime"/>, so that
/// every Tab press after the first is answered without a request.
/// </summary>
/// <remarks>
/// A completer must never hang a prompt: the listing gets a few seconds and no retries, and any failure (no vault
/// on the command line, no credential, a throttled vault) completes nothing.
/// </remarks>
public sealed class KvNameCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var vaultUri = VaultUriOf(fakeBoundParameters);
        if (vaultUri is null)
        {
            return [];
        }

        var removed = string.Equals(commandName, "Undo-KvObjectRemoval", StringComparison.OrdinalIgnoreCase)
            || IsOn(fakeBoundParameters, "InRemovedState");
        var types = TypesOf(commandName, fakeBoundParameters);
        var names = VaultNames.List(vaultUri, types, removed, fakeBoundParameters);
        return NameCache.Complete(names, wordToComplete);
    }

    private static Uri? VaultUriOf(IDictionary parameters)
    {
        if (parameters["VaultUri"] is { } uri)
        {
            return Uri.TryCreate(Unwrap(uri)?.ToString(), UriKind.Absolute, out var parsed) ? parsed : null;
        }

        if (Unwrap(parameters["VaultName"]) is string name && !string.IsNullOrWhiteSpace(name))
        {
            return Uri.TryCreate($"https://{name.ToLowerInvariant()}.vault.azure.net/", UriKind.Absolute, out var parsed) ? parsed : null;
        }

        return null;
    }

    private static string[] TypesOf(string commandName, IDictionary parameters)
    {
        if (string.Equals(commandName, "Get-KvSecret", StringComparison.OrdinalIgnoreCase) || string.Equals(commandName, "Set-KvSecret", StringComparison.OrdinalIgnoreCase))
        {
            return ["Secret"];
        }

        var given = Unwrap(parameters["Type"]) switch
        {
            null => [],
            string one => [one],
            IEnumerable many => many.Cast<object?>().Select(o => Unwrap(o)?.ToString()).OfType<string>().ToArray(),
            var other => [other.ToString() ?? string.Empty],
        };
        return given.Length > 0 ? given : ["Secret", "Key", "Certificate"];
    }

    internal static bool IsOn(IDictionary parameters, string name) => Unwrap(parameters[name]) switch
    {
        null => parameters.Contains(name),
        SwitchParameter s => s.IsPresent,
        bool b => b,
        _ => true,
    };

    internal static object? Unwrap(object? value) => value is PSObject ps ? ps.BaseObject : value;

    internal static SecureString? SecureOf(IDictionary parameters, string name) => Unwrap(parameters[name]) as SecureString;
}
