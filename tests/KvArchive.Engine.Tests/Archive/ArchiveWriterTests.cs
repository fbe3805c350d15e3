using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Archive;

[Trait("Category", "Unit")]
public sealed class ArchiveWriterTests : IDisposable
{
    private readonly string _folder = ArchiveTestData.NewFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Nothing_appears_at_the_path_until_commit_and_an_abandoned_run_leaves_nothing()
    {
        var path = Path.Combine(_folder, "prod.kva");
        using (var writer = ArchiveWriter.Create(path, false, DateTimeOffset.UtcNow))
        {
            writer.WriteEntry(ArchiveTestData.Saved(KvObjectType.Secret, "a"), ArchiveTestData.Blob(1, 1000));
            Assert.False(File.Exists(path));
            Assert.True(File.Exists(writer.TempPath));
            Assert.Equal(_folder, Path.GetDirectoryName(writer.TempPath));
        }

        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public void An_abandoned_run_leaves_the_previous_archive_intact()
    {
        var path = Path.Combine(_folder, "prod.kva");
        ArchiveTestData.WriteSample(path);
        var before = File.ReadAllBytes(path);
        using (var writer = ArchiveWriter.Create(path, true, DateTimeOffset.UtcNow))
        {
            writer.WriteEntry(ArchiveTestData.Saved(KvObjectType.Secret, "other"), ArchiveTestData.Blob(9, 5000));
        }

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_folder));
    }

    [Fact]
    public void An_existing_archive_is_replaced_only_with_overwrite_and_only_at_commit()
    {
        var path = Path.Combine(_folder, "prod.kva");
        ArchiveTestData.WriteSample(path);
        var before = File.ReadAllBytes(path);

        var e = Assert.Throws<KvException>(() => ArchiveWriter.Create(path, false, DateTimeOffset.UtcNow));
        Assert.Equal(KvErrorIds.ArchiveExists, e.ErrorId);
        // The fact only; the module words the way out (-Force) as the error's RecommendedAction.
        Assert.Contains("already exists", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("-Force", e.Message, StringComparison.Ordinal);
        Assert.Equal([path], Directory.GetFiles(_folder));

        using (var writer = ArchiveWriter.Create(path, true, DateTimeOffset.UtcNow))
        {
            writer.WriteEntry(ArchiveTestData.Saved(KvObjectType.Secret, "replacement"), ArchiveTestData.Blob(5, 50));
            Assert.Equal(before, File.ReadAllBytes(path));
            writer.Commit(DateTimeOffset.UtcNow);
        }

        using var reader = ArchiveReader.Open(path);
        Assert.Equal("replacement", Assert.Single(reader.Items).Name);
        Assert.Equal([path], Directory.GetFiles(_folder));
    }

    [Fact]
    public void An_archive_created_meanwhile_is_not_overwritten_without_force()
    {
        var path = Path.Combine(_folder, "prod.kva");
        using var writer = ArchiveWriter.Create(path, false, DateTimeOffset.UtcNow);
        writer.WriteEntry(ArchiveTestData.Saved(KvObjectType.Secret, "a"), ArchiveTestData.Blob(1, 10));
        File.WriteAllText(path, "someone else's file");
        var e = Assert.Throws<KvException>(() => writer.Commit(DateTimeOffset.UtcNow));
        Assert.Equal(KvErrorIds.ArchiveExists, e.ErrorId);
        writer.Dispose();
        Assert.Equal("someone else's file", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_folder));
    }

    [Fact]
    public void A_missing_folder_or_a_folder_path_fails_before_any_work()
    {
        var e = Assert.Throws<KvException>(() => ArchiveWriter.Create(Path.Combine(_folder, "no", "such", "x.kva"), false, DateTimeOffset.UtcNow));
        Assert.Equal(KvErrorIds.ArchiveWriteFailed, e.ErrorId);
        e = Assert.Throws<KvException>(() => ArchiveWriter.Create(_folder, true, DateTimeOffset.UtcNow));
        Assert.Equal(KvErrorIds.ArchiveWriteFailed, e.ErrorId);
    }

    [Fact]
    public void The_writer_streams_and_keeps_no_blobs_in_memory()
    {
        const int count = 2500;
        const int size = 40 * 1024;
        var path = Path.Combine(_folder, "big.kva");
        var blob = ArchiveTestData.Blob(7, size);
        using var writer = ArchiveWriter.Create(path, false, DateTimeOffset.UtcNow);
        writer.WriteEntry(ArchiveTestData.Saved(KvObjectType.Secret, "warmup"), blob);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < count; i++)
        {
            blob[0] = (byte)i;
            writer.WriteEntry(ArchiveTestData.Saved(KvObjectType.Secret, $"s{i}"), blob);
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        var written = (long)count * size;
        Assert.True(after - before < written / 10, $"memory grew by {after - before:N0} bytes while {written:N0} bytes of blobs were written");
        Assert.True(new FileInfo(writer.TempPath).Length > written);
        writer.Commit(DateTimeOffset.UtcNow);

        using var reader = ArchiveReader.Open(path);
        Assert.Equal(count + 1, reader.Items.Count);
        blob[0] = 1234 % 256;
        Assert.Equal(blob, reader.ReadBlob(reader.Items.Single(i => i.Name == "s1234")));
        Assert.True(reader.Verify().IsValid);
    }

    [Fact]
    public void The_writer_keeps_no_manifest_rows_in_memory()
    {
        const int count = 20_000;
        var path = Path.Combine(_folder, "many.kva");
        var blob = ArchiveTestData.Blob(3, 64);
        long grown;
        using (var writer = ArchiveWriter.Create(path, false, DateTimeOffset.UtcNow))
        {
            writer.WriteEntry(ArchiveTestData.Saved(KvObjectType.Secret, "warmup"), blob);
            var before = GC.GetTotalMemory(forceFullCollection: true);
            for (var i = 0; i < count; i++)
            {
                var row = ArchiveTestData.Saved(KvObjectType.Secret, $"secret-{i:D5}");
                row.Tags = new Dictionary<string, string> { ["team"] = "payments", ["index"] = $"{i}" };
                writer.WriteEntry(row, blob);
            }

            grown = GC.GetTotalMemory(forceFullCollection: true) - before;
            writer.Commit(DateTimeOffset.UtcNow);
        }

        // What stays per object is the ZIP directory's record of its two entries (the central directory is written
        // last): about 900 bytes. Keeping each manifest row too would more than double it (about 2,200).
        Assert.True(grown / count < 1300, $"{grown / count:N0} bytes per object stayed in memory");
        using var reader = ArchiveReader.Open(path);
        Assert.Equal(count + 1, reader.Items.Count);
        Assert.Equal("payments", reader.Items[^1].Tags["team"]);
        Assert.True(reader.Verify().IsValid);
        Assert.Equal([path], Directory.GetFiles(_folder));
    }
}
