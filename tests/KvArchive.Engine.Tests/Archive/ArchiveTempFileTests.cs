using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Archive;

/// <summary>Nothing left behind: an abandoned writer removes its files, a new one removes stale ones of the same path only.</summary>
[Trait("Category", "Unit")]
public sealed class ArchiveTempFileTests : IDisposable
{
    private readonly string _folder = ArchiveTestData.NewFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string[] Files() => Directory.GetFiles(_folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void Stale_temp_files_of_the_same_path_are_removed_and_nothing_else()
    {
        var path = Path.Combine(_folder, "prod.kva");
        var stale = Path.Combine(_folder, $".prod.kva.{Guid.NewGuid():N}.partial");
        File.WriteAllText(stale, "killed run");
        File.WriteAllText(stale + ".rows", "killed run");
        File.WriteAllText(Path.Combine(_folder, $".prod.kva.{Guid.NewGuid():N}.partial.rows"), "rows alone");
        var other = $".other.kva.{Guid.NewGuid():N}.partial";
        File.WriteAllText(Path.Combine(_folder, other), "another archive's run");
        File.WriteAllText(Path.Combine(_folder, ".prod.kva.notes"), "not a temp file");

        using (var writer = ArchiveWriter.Create(path, false, DateTimeOffset.UnixEpoch))
        {
            writer.WriteEntry(ArchiveTestData.Saved(KvObjectType.Secret, "a"), ArchiveTestData.Blob(1, 10));
            writer.Commit(DateTimeOffset.UnixEpoch);
        }

        Assert.Equal(new[] { ".prod.kva.notes", other, "prod.kva" }.Order(StringComparer.Ordinal), Files());
    }

    [Fact]
    public void A_live_writers_files_are_left_to_it()
    {
        var path = Path.Combine(_folder, "prod.kva");
        using var live = ArchiveWriter.Create(path, false, DateTimeOffset.UnixEpoch);
        live.WriteEntry(ArchiveTestData.Saved(KvObjectType.Secret, "a"), ArchiveTestData.Blob(1, 10));
        Assert.Equal(0, ArchiveWriter.RemoveStaleTempFiles(path));
        using (var second = ArchiveWriter.Create(path, false, DateTimeOffset.UnixEpoch))
        {
            Assert.True(File.Exists(live.TempPath));
            Assert.True(File.Exists(live.TempPath + ".rows"));
        }

        live.Commit(DateTimeOffset.UnixEpoch);
        Assert.True(ArchiveReader.Verify(path).IsValid);
        Assert.Equal(["prod.kva"], Files());
    }

    [Fact]
    public void An_abandoned_writer_that_saved_nothing_leaves_nothing()
    {
        var path = Path.Combine(_folder, "prod.kva");
        using (var writer = ArchiveWriter.Create(path, false, DateTimeOffset.UnixEpoch))
        {
            writer.RecordWithoutBlob(ArchiveTestData.Failed(KvObjectType.Secret, "refused"));
            writer.Dispose();
            Assert.Null(writer.KeptPath);
        }

        // Without KeepForResume (an import, an export) nothing is kept even when something was saved.
        using (var writer = ArchiveWriter.Create(path, false, DateTimeOffset.UnixEpoch))
        {
            writer.WriteEntry(ArchiveTestData.Saved(KvObjectType.Secret, "a"), ArchiveTestData.Blob(1, 10));
            writer.Dispose();
            Assert.Null(writer.KeptPath);
        }

        Assert.Empty(Files());
    }

    [Fact]
    public void An_abandoned_writer_keeps_what_it_saved_beside_the_path_and_nothing_at_it()
    {
        var path = Path.Combine(_folder, "prod.kva");
        string? kept;
        using (var writer = ArchiveWriter.Create(path, false, DateTimeOffset.UnixEpoch, keepForResume: true))
        {
            writer.WriteEntry(ArchiveTestData.Saved(KvObjectType.Secret, "a"), ArchiveTestData.Blob(1, 10));
            writer.Dispose();
            kept = writer.KeptPath;
        }

        Assert.NotNull(kept);
        Assert.Equal([Path.GetFileName(kept)], Files());
        Assert.False(File.Exists(path));
        Assert.Equal("a", Assert.Single(PartialArchive.Scan(kept)).Document.Name);

        // The next writer of the path (a run without -Resume) removes it.
        using (ArchiveWriter.Create(path, false, DateTimeOffset.UnixEpoch))
        {
            Assert.False(File.Exists(kept));
        }
    }
}
