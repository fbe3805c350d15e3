using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;

namespace KvArchive.Engine.Vault;

/// <summary>
/// Removing an expiry or activation date. The SDKs cannot express it (they omit nulls); the REST API takes an
/// explicit null, but a vault may keep the date anyway, so the removal is sent on its own first and checked:
/// if the date stays, nothing else is changed and the caller hears why.
/// </summary>
internal static class DateClearing
{
    /// <summary>Whether an update removes a date.</summary>
    public static bool Requested(KvPropertyUpdate update) => update.ClearExpiresOn || update.ClearNotBefore;

    /// <summary>The same update without the removals.</summary>
    public static KvPropertyUpdate Remainder(KvPropertyUpdate update) => new()
    {
        Enabled = update.Enabled,
        ExpiresOn = update.ClearExpiresOn ? null : update.ExpiresOn,
        NotBefore = update.ClearNotBefore ? null : update.NotBefore,
        ContentType = update.ContentType,
        Tags = update.Tags,
    };

    /// <summary>Whether an update changes anything.</summary>
    public static bool Changes(KvPropertyUpdate update)
        => update.Enabled is not null || update.ExpiresOn is not null || update.NotBefore is not null || update.ContentType is not null || update.Tags is not null || Requested(update);

    /// <summary>Sends the removals of one version and checks that the vault applied them.</summary>
    public static async Task<KvObject> ClearAsync(VaultRestClient rest, KvObjectType type, string name, string version, KvPropertyUpdate update, Func<JsonElement, VaultIdentity, KvObject> map, CancellationToken cancellationToken)
    {
        var attributes = new JsonObject();
        if (update.ClearExpiresOn)
        {
            attributes["exp"] = null;
        }

        if (update.ClearNotBefore)
        {
            attributes["nbf"] = null;
        }

        using var answer = await rest.SendAsync(RequestMethod.Patch, $"{ObjectPaths.Collection(type)}/{name}/{version}", new JsonObject { ["attributes"] = attributes }, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Vault '{rest.Vault.Name}' answered an update without a body.");
        var result = map(answer.RootElement, rest.Vault);
        var keptExpiry = update.ClearExpiresOn && result.ExpiresOn is not null;
        var keptActivation = update.ClearNotBefore && result.NotBefore is not null;
        if (keptExpiry || keptActivation)
        {
            var which = keptExpiry && keptActivation ? "expiry and activation dates" : keptExpiry ? "expiry date" : "activation date";
            throw new KvException(
                KvErrorKind.InvalidArgument,
                KvErrorIds.InvalidArgument,
                $"Vault '{rest.Vault.Name}' kept the {which} of {type.Word()} '{name}': it does not remove a date once set. Nothing was changed; set a new date instead, or set a new version without one.")
            {
                ObjectType = type,
                ObjectName = name,
            };
        }

        return result;
    }
}
