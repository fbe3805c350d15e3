using System.Text.Json;
using KvArchive.LocalVault.Http;

namespace KvArchive.LocalVault.Management;

/// <summary><c>{"secrets":N,"keys":N,"certificates":N,"versions":1,"prefix":"seed","valueBytes":32}</c>.</summary>
public sealed record SeedRequest(int Secrets, int Keys, int Certificates, int Versions, string Prefix, int ValueBytes)
{
    public const int MaxObjects = 100_000;

    public static SeedRequest Read(JsonElement? body)
    {
        if (body is not { } b)
        {
            return new SeedRequest(0, 0, 0, 1, "seed", 32);
        }

        var request = new SeedRequest(
            JsonInput.Int(b, "secrets") ?? 0,
            JsonInput.Int(b, "keys") ?? 0,
            JsonInput.Int(b, "certificates") ?? 0,
            JsonInput.Int(b, "versions") ?? 1,
            JsonInput.String(b, "prefix") ?? "seed",
            JsonInput.Int(b, "valueBytes") ?? 32);
        if (request.Secrets is < 0 or > MaxObjects || request.Keys is < 0 or > 10_000 || request.Certificates is < 0 or > 10_000)
        {
            throw VaultErrors.BadParameter($"Seed at most {MaxObjects} secrets and 10000 keys or certificates.");
        }

        if (request.Versions is < 1 or > 1000)
        {
            throw VaultErrors.BadParameter("versions must be from 1 to 1000.");
        }

        if (request.ValueBytes is < 1 or > 25 * 1024)
        {
            throw VaultErrors.BadParameter("valueBytes must be from 1 to 25600.");
        }

        if (request.Prefix.Length is 0 or > 100 || !request.Prefix.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw VaultErrors.BadParameter("prefix must be 1-100 characters of letters, digits and '-'.");
        }

        return request;
    }
}
