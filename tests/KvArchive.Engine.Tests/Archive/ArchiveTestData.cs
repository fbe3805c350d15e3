using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Archive;

/// <summary>Builds archives and temporary folders for the archive tests.</summary>
internal static class ArchiveTestData
{
    public static readonly Uri Vault = new("https://prod.vault.localhost:8443/");

    public static string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "kvarchive-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    public static byte[] Blob(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static ArchiveEntryDocument Saved(KvObjectType kind, string name, Uri? vault = null, ArchiveEntryStatus status = ArchiveEntryStatus.Saved) => new()
    {
        Kind = kind,
        Name = name,
        VaultUri = vault ?? Vault,
        Status = status,
        BackedUpOn = DateTimeOffset.FromUnixTimeSeconds(1_700_000_100),
        Version = "0123456789abcdef0123456789abcdef",
        Enabled = true,
        CreatedOn = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000),
        UpdatedOn = DateTimeOffset.FromUnixTimeSeconds(1_700_000_050),
        ExpiresOn = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000),
        ContentType = kind == KvObjectType.Secret ? "text/plain" : null,
        Tags = new Dictionary<string, string> { ["env"] = "prod", ["owner"] = name },
        Versions =
        [
            new ArchiveVersion { Version = "0123456789abcdef0123456789abcdef", CreatedOn = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), UpdatedOn = DateTimeOffset.FromUnixTimeSeconds(1_700_000_050), Enabled = true },
            new ArchiveVersion { Version = "fedcba9876543210fedcba9876543210", CreatedOn = DateTimeOffset.FromUnixTimeSeconds(1_600_000_000), UpdatedOn = DateTimeOffset.FromUnixTimeSeconds(1_600_000_000), Enabled = false },
        ],
    };

    public static ArchiveEntryDocument Failed(KvObjectType kind, string name) => new()
    {
        Kind = kind,
        Name = name,
        VaultUri = Vault,
        Status = ArchiveEntryStatus.Failed,
        Reason = "Forbidden by the test",
        ErrorId = KvErrorIds.PermissionDenied,
    };

    public static ArchiveEntryDocument Skipped(KvObjectType kind, string name) => new()
    {
        Kind = kind,
        Name = name,
        VaultUri = Vault,
        Status = ArchiveEntryStatus.Skipped,
        Reason = "managed by certificate",
        Managed = true,
    };

    /// <summary>A small archive of every status; returns the blobs by name.</summary>
    public static Dictionary<string, byte[]> WriteSample(string path, bool overwrite = false, string? formatVersion = null)
    {
        var blobs = new Dictionary<string, byte[]>
        {
            ["db-password"] = Blob(1, 300),
            ["signing"] = Blob(2, 500),
            ["web-tls"] = Blob(3, 700),
        };
        using var writer = ArchiveWriter.Create(path, overwrite, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), formatVersion);
        writer.WriteEntry(Saved(KvObjectType.Secret, "db-password"), blobs["db-password"]);
        writer.WriteEntry(Saved(KvObjectType.Key, "signing", status: ArchiveEntryStatus.Changed), blobs["signing"]);
        writer.WriteEntry(Saved(KvObjectType.Certificate, "web-tls"), blobs["web-tls"]);
        writer.RecordWithoutBlob(Failed(KvObjectType.Secret, "forbidden"));
        writer.RecordWithoutBlob(Skipped(KvObjectType.Secret, "web-tls"));
        writer.Commit(DateTimeOffset.FromUnixTimeSeconds(1_700_000_200));
        return blobs;
    }
}
