using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Archive;

[Trait("Category", "Unit")]
public sealed class ArchiveRoundTripTests : IDisposable
{
    private readonly string _folder = ArchiveTestData.NewFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Items_and_blobs_come_back_exactly()
    {
        var path = Path.Combine(_folder, "prod.kva");
        var blobs = ArchiveTestData.WriteSample(path);

        using var reader = ArchiveReader.Open(path);
        Assert.Equal("1.1", reader.FormatVersion);
        Assert.False(string.IsNullOrEmpty(reader.ToolVersion));
        Assert.Equal([ArchiveTestData.Vault], reader.SourceVaults);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), reader.StartedOn);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_200), reader.CompletedOn);
        Assert.Equal(5, reader.Items.Count);

        var secret = reader.Items.Single(i => i.Type == KvObjectType.Secret && i.Name == "db-password");
        Assert.Equal(Path.GetFullPath(path), secret.Path);
        Assert.Equal(ArchiveEntryStatus.Saved, secret.Status);
        Assert.Equal("text/plain", secret.ContentType);
        Assert.Equal("prod", secret.Tags["env"]);
        Assert.Equal(true, secret.Enabled);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000), secret.ExpiresOn);
        Assert.Equal(2, secret.Versions.Count);
        Assert.Equal("fedcba9876543210fedcba9876543210", secret.Versions[1].Version);
        Assert.Equal(false, secret.Versions[1].Enabled);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_050), secret.Versions[0].UpdatedOn);
        Assert.Equal(300, secret.Size);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(blobs["db-password"])).ToLowerInvariant(), secret.Sha256);
        Assert.Equal("secrets/db-password.blob", secret.Entry);
        Assert.Equal(ArchiveTestData.Vault, secret.SourceVaultUri);

        foreach (var (name, blob) in blobs)
        {
            var item = reader.Items.Single(i => i.Name == name && i.HasBlob);
            Assert.Equal(blob, reader.ReadBlob(item));
        }

        Assert.Equal(ArchiveEntryStatus.Changed, reader.Items.Single(i => i.Name == "signing").Status);
        var failed = reader.Items.Single(i => i.Name == "forbidden");
        Assert.Equal(ArchiveEntryStatus.Failed, failed.Status);
        Assert.Equal("Forbidden by the test", failed.Reason);
        Assert.False(failed.HasBlob);
        var e = Assert.Throws<KvException>(() => reader.ReadBlob(failed));
        Assert.Equal(KvErrorIds.ArchiveEntryInvalid, e.ErrorId);
        Assert.Equal(ArchiveEntryStatus.Skipped, reader.Items.Single(i => i.Type == KvObjectType.Secret && i.Name == "web-tls").Status);

        var check = reader.Verify();
        Assert.True(check.IsValid, string.Join("\n", check.Errors.Select(x => x.Exception.Message)));
        Assert.Equal(5, check.EntryCount);
        Assert.Equal(3, check.VerifiedCount);
        Assert.Equal((2, 1, 1, 1), (check.SavedCount, check.ChangedCount, check.FailedCount, check.SkippedCount));
    }

    [Fact]
    public void Any_zip_tool_sees_the_layout_and_the_exact_blobs()
    {
        var path = Path.Combine(_folder, "prod.kva");
        var blobs = ArchiveTestData.WriteSample(path);

        using var zip = ZipFile.OpenRead(path);
        var names = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Equal("kvarchive.json", names[0]);
        Assert.Equal("manifest.json", names[^1]);
        Assert.Equal(
            ["kvarchive.json", "secrets/db-password.json", "secrets/db-password.blob", "keys/signing.json", "keys/signing.blob",
             "certificates/web-tls.json", "certificates/web-tls.blob", "secrets/forbidden.json", "manifest.json"],
            names);
        Assert.All(zip.Entries, e => Assert.Equal(e.Length, e.CompressedLength));

        using (var s = zip.GetEntry("keys/signing.blob")!.Open())
        using (var copy = new MemoryStream())
        {
            s.CopyTo(copy);
            Assert.Equal(blobs["signing"], copy.ToArray());
        }

        var magic = JsonNode.Parse(zip.GetEntry("kvarchive.json")!.Open())!;
        Assert.Equal("KvArchive", (string?)magic["format"]);
        Assert.Equal("1.1", (string?)magic["formatVersion"]);
        var header = JsonNode.Parse(zip.GetEntry("secrets/db-password.json")!.Open())!;
        Assert.Equal("secret", (string?)header["kind"]);
        Assert.Equal("saved", (string?)header["status"]);
        Assert.Equal(300, (long?)header["size"]);
        var manifest = JsonNode.Parse(zip.GetEntry("manifest.json")!.Open())!;
        Assert.Equal(5, (int?)manifest["counts"]!["total"]);
        Assert.Equal("failed", (string?)manifest["entries"]![3]!["status"]);
        Assert.StartsWith("KVARCHIVE-TRAILER {", zip.Comment);
    }

    [Fact]
    public void Names_that_collide_get_distinct_entries()
    {
        var path = Path.Combine(_folder, "two.kva");
        var other = new Uri("https://dr.vault.localhost:8443/");
        using (var writer = ArchiveWriter.Create(path, false, DateTimeOffset.UtcNow))
        {
            writer.WriteEntry(ArchiveTestData.Saved(KvObjectType.Secret, "app"), ArchiveTestData.Blob(1, 10));
            writer.WriteEntry(ArchiveTestData.Saved(KvObjectType.Secret, "APP", other), ArchiveTestData.Blob(2, 10));
            writer.WriteEntry(ArchiveTestData.Saved(KvObjectType.Key, "app"), ArchiveTestData.Blob(3, 10));
            writer.Commit(DateTimeOffset.UtcNow);
        }

        using var reader = ArchiveReader.Open(path);
        Assert.Equal(["secrets/app.blob", "secrets/APP~2.blob", "keys/app.blob"], reader.Items.Select(i => i.Entry));
        Assert.Equal([ArchiveTestData.Vault, other], reader.SourceVaults);
        Assert.Equal(ArchiveTestData.Blob(2, 10), reader.ReadBlob(reader.Items[1]));
        Assert.True(reader.Verify().IsValid);
    }

    [Fact]
    public void A_newer_minor_version_is_read()
    {
        var path = Path.Combine(_folder, "minor.kva");
        var blobs = ArchiveTestData.WriteSample(path, formatVersion: "1.7");
        using var reader = ArchiveReader.Open(path);
        Assert.Equal("1.7", reader.FormatVersion);
        Assert.Equal(blobs["web-tls"], reader.ReadBlob(reader.Items.Single(i => i.Name == "web-tls" && i.HasBlob)));
    }

    [Fact]
    public void A_reader_of_a_large_archive_holds_no_description_of_every_object()
    {
        const int count = 20_000;
        var path = Path.Combine(_folder, "large.kva");
        var blob = ArchiveTestData.Blob(4, 48);
        using (var writer = ArchiveWriter.Create(path, false, DateTimeOffset.UtcNow))
        {
            for (var i = 0; i < count; i++)
            {
                var row = ArchiveTestData.Saved(KvObjectType.Secret, $"secret-{i:D5}");
                row.Tags = new Dictionary<string, string> { ["team"] = "payments", ["index"] = $"{i}" };
                writer.WriteEntry(row, blob);
            }

            writer.Commit(DateTimeOffset.UtcNow);
        }

        var before = GC.GetTotalMemory(forceFullCollection: true);
        using var reader = ArchiveReader.Open(path);
        var names = 0;
        foreach (var item in reader.Items)
        {
            names += item.Name.StartsWith("secret-", StringComparison.Ordinal) ? 1 : 0;
        }

        var grown = GC.GetTotalMemory(forceFullCollection: true) - before;

        // Where each row lies in the file, and a weak slot per item handed out: tens of bytes per object. Holding
        // every row (as readers did) took well over a kilobyte each.
        Assert.True(grown / count < 200, $"{grown / count:N0} bytes per object stayed in memory");
        Assert.Equal(count, names);
        Assert.Equal(count, reader.Items.Count);
        Assert.Equal("19999", reader.Items[^1].Tags["index"]);

        // An item still in use is the same instance when the list is read again.
        var held = reader.Items[123];
        Assert.Same(held, reader.Items.Single(i => i.Name == "secret-00123"));
        Assert.Equal(blob, reader.ReadBlob(held));
    }
}
