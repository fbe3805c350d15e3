using System.Text.Json;

namespace KvArchive.LocalVault.Http;

/// <summary>The writable attributes of a request's "attributes" object (null: not given).</summary>
public readonly record struct AttributesInput(bool? Enabled, long? NotBefore, long? Expires, bool? Exportable)
{
    public static AttributesInput Read(JsonElement body)
    {
        var attributes = JsonInput.Object(body, "attributes");
        if (attributes is null)
        {
            return default;
        }

        var a = attributes.Value;
        var result = new AttributesInput(JsonInput.Bool(a, "enabled"), JsonInput.Long(a, "nbf"), JsonInput.Long(a, "exp"), JsonInput.Bool(a, "exportable"));
        if (result.NotBefore is { } nbf && result.Expires is { } exp && exp < nbf)
        {
            throw VaultErrors.BadParameter("The expiry date (exp) must be later than the activation date (nbf).");
        }

        return result;
    }
}
