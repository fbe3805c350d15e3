using System.Text.Json;
using KvArchive.LocalVault.Http;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Crypto;

/// <summary>Turns payloads into blobs and back, checking what a restore needs.</summary>
public static class BackupSerializer
{
    /// <summary>The most versions a backup holds (decided: more is a 400 BadParameter naming the limit).</summary>
    public const int MaxVersions = 500;

    public static string ToBlob(BackupPayload payload, string frameTag, string geography)
        => BackupBlobCodec.Encode(frameTag, geography, JsonSerializer.SerializeToUtf8Bytes(payload));

    /// <summary>The payload of a restore body's blob, of the expected kind, or a 400.</summary>
    public static BackupPayload FromBlob(string? blob, string frameTag, string kind, string geography)
    {
        var plaintext = BackupBlobCodec.Decode(blob, frameTag, geography);
        BackupPayload? payload;
        try
        {
            payload = JsonSerializer.Deserialize<BackupPayload>(plaintext);
        }
        catch (JsonException)
        {
            throw VaultErrors.MalformedBackup();
        }

        if (payload is null || payload.Kind != kind || payload.Name.Length == 0)
        {
            throw VaultErrors.MalformedBackup();
        }

        ObjectNames.Validate(payload.Name);
        return payload;
    }

    public static void CheckVersionLimit(ObjectKind kind, string name, int versions)
    {
        if (versions > MaxVersions)
        {
            throw VaultErrors.BadParameter($"Backup of {kind.Lower} '{name}' is refused: it has {versions} versions and a backup holds at most {MaxVersions} versions.");
        }
    }

    /// <summary>Copies versions for a restore, with new vault sequences in the blob's (creation) order.</summary>
    public static List<TVersion> Resequence<TVersion>(Vault vault, IEnumerable<TVersion> versions)
        where TVersion : ObjectVersion
        => versions.OrderBy(v => v.Sequence).Select(v => v with { Sequence = vault.NextSequence() }).ToList();
}
