using System.Buffers.Text;
using System.Text.Json;
using KvArchive.LocalVault.Crypto;
using KvArchive.LocalVault.Http;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Endpoints;

/// <summary>
/// POST /keys/{name}/{version}/{sign|verify|encrypt|decrypt|wrapkey|unwrapkey} (version may be empty or left out:
/// the latest). The key must allow the operation in its key_ops, be enabled and be within nbf/exp.
/// </summary>
public sealed class KeyCryptographyEndpoints(ObjectEndpoints<KeyEntry, KeyVersion> keys)
{
    public async Task HandleAsync(VaultCall call)
    {
        var (operation, keyOp) = call.Route.Operation switch
        {
            VaultOperation.KeySign => ("sign", "sign"),
            VaultOperation.KeyVerify => ("verify", "verify"),
            VaultOperation.KeyEncrypt => ("encrypt", "encrypt"),
            VaultOperation.KeyDecrypt => ("decrypt", "decrypt"),
            VaultOperation.KeyWrap => ("wrapKey", "wrapKey"),
            _ => ("unwrapKey", "unwrapKey"),
        };

        string alg;
        byte[] value;
        byte[]? digest = null;
        using (var body = await call.ReadBodyAsync())
        {
            var root = body.RootElement;
            alg = JsonInput.String(root, "alg") ?? throw VaultErrors.BadParameter("Property 'alg' is required.");
            value = Bytes(root, "value") ?? throw VaultErrors.BadParameter("Property 'value' is required.");
            if (operation == "verify")
            {
                digest = Bytes(root, "digest") ?? throw VaultErrors.BadParameter("Property 'digest' is required.");
            }
        }

        KeyOperations.CheckAlgorithm(operation, alg);
        var snapshot = keys.Snapshot(call, call.Name, call.Route.Version);
        var key = snapshot.Version;
        CheckUsable(key, keyOp, call.NowSeconds);
        var kid = CommonJson.Id(call.Vault, ObjectKind.Key, snapshot.Name, key.Version);

        // The work runs outside the vault lock (the snapshot's version is immutable).
        if (operation == "verify")
        {
            var valid = KeyOperations.Verify(key.Material, alg, digest!, value);
            await JsonResponse.SendAsync(call.Http, 200, w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("value", valid);
                w.WriteEndObject();
            });
            return;
        }

        var result = operation switch
        {
            "sign" => KeyOperations.Sign(key.Material, alg, value),
            "encrypt" or "wrapKey" => KeyOperations.Encrypt(key.Material, alg, value),
            _ => KeyOperations.Decrypt(key.Material, alg, value),
        };
        await JsonResponse.SendAsync(call.Http, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("kid", kid);
            w.WriteString("value", Base64Url.EncodeToString(result));
            w.WriteEndObject();
        });
    }

    /// <summary>The service's refusals: an operation outside key_ops (recorded wording), a disabled key, a key outside nbf/exp.</summary>
    private static void CheckUsable(KeyVersion key, string keyOp, long now)
    {
        if (!key.KeyOps.Contains(keyOp, StringComparer.Ordinal))
        {
            throw new VaultErrorException(403, "Forbidden", $"Operation {keyOp} is not permitted on this key.", "KeyOperationForbidden");
        }

        if (!key.Enabled)
        {
            throw new VaultErrorException(403, "Forbidden", $"Operation {keyOp} is not allowed on a disabled key.", "KeyDisabled");
        }

        if (key.NotBefore is { } nbf && now < nbf)
        {
            throw new VaultErrorException(403, "Forbidden", $"Operation {keyOp} is not allowed: the key is not valid before {DateTimeOffset.FromUnixTimeSeconds(nbf):O}.", "KeyNotYetValid");
        }

        if (key.Expires is { } exp && now >= exp)
        {
            throw new VaultErrorException(403, "Forbidden", $"Operation {keyOp} is not allowed: the key expired at {DateTimeOffset.FromUnixTimeSeconds(exp):O}.", "KeyExpired");
        }
    }

    private static byte[]? Bytes(JsonElement root, string name)
    {
        var s = JsonInput.String(root, name);
        if (s is null)
        {
            return null;
        }

        try
        {
            return Base64Url.DecodeFromChars(s.TrimEnd('=').Replace('+', '-').Replace('/', '_'));
        }
        catch (FormatException)
        {
            throw VaultErrors.BadParameter($"Property '{name}' is not base64url.");
        }
    }
}
