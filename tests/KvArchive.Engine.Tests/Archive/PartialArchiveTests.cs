using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Archive;

/// <summary>
/// What an interrupted backup leaves: every object whose entries are whole is found again, wherever the file was
/// cut (a killed process), and the leftovers of a path become one finished archive to continue from.
/// </summary>
[Trait("Category", "Unit")]
public sealed class PartialArchiveTests : IDisposable
{
    private readonly string _folder = ArchiveTestData.NewFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A writer's kept temporary file holding <paramref name="names"/> (and one failed object), with each entry's end offset.</summary>
    private (string Path, List<long> Ends) Interrupted(string archive, params string[] names)
    {
        var ends = new List<long>();
        using var writer = ArchiveWriter.Create(archive, false, DateTimeOffset.UnixEpoch, keepForResume: true);
        for (var i = 0; i < names.Length; i++)
        {
            writer.WriteEntry(ArchiveTestData.Saved(KvObjectType.Secret, names[i]), ArchiveTestData.Blob(i, 200 + i));
            ends.Add(new FileInfo(writer.TempPath).Length);
            if (i == 0)
            {
                writer.RecordWithoutBlob(ArchiveTestData.Failed(KvObjectType.Secret, "refused"));
            }
        }

        writer.Dispose();
        return (writer.KeptPath!, ends);
    }

    [Fact]
    public void Every_whole_entry_is_found_wherever_the_file_is_cut()
    {
        var archive = Path.Combine(_folder, "prod.kva");
        var (kept, ends) = Interrupted(archive, "a", "b", "c", "d");
        var bytes = File.ReadAllBytes(kept);
        Assert.Equal(4, PartialArchive.Scan(kept).Count);

        var cut = Path.Combine(_folder, "cut.partial");
        for (var length = 0; length <= bytes.Length; length += 7)
        {
            File.WriteAllBytes(cut, bytes[..length]);
            var found = PartialArchive.Scan(cut);
            var whole = ends.Count(end => end <= length);
            Assert.Equal(whole, found.Count);
            Assert.Equal(new[] { "a", "b", "c", "d" }.Take(whole), found.Select(f => f.Document.Name));
        }
    }

    [Fact]
    public void A_changed_byte_in_a_blob_ends_the_scan_before_that_object()
    {
        var archive = Path.Combine(_folder, "prod.kva");
        var (kept, _) = Interrupted(archive, "a", "b", "c");
        var found = PartialArchive.Scan(kept);
        var bytes = File.ReadAllBytes(kept);
        bytes[found[1].BlobOffset + 5] ^= 0xFF;
        File.WriteAllBytes(kept, bytes);

        Assert.Equal(["a"], PartialArchive.Scan(kept).Select(f => f.Document.Name));

        // A count for a warning reads the headers only: the damaged blob is not read.
        Assert.Equal(["a", "b", "c"], PartialArchive.Scan(kept, checkBlobs: false).Select(f => f.Document.Name));
    }

    [Fact]
    public void A_file_that_is_not_a_kvarchive_leftover_holds_nothing()
    {
        var foreign = Path.Combine(_folder, ".prod.kva.0123456789abcdef0123456789abcdef.partial");
        File.WriteAllBytes(foreign, ArchiveTestData.Blob(9, 5000));
        Assert.Empty(PartialArchive.Scan(foreign));
        Assert.Null(PartialArchive.Salvage(Path.Combine(_folder, "prod.kva"), DateTimeOffset.UnixEpoch, out var count));
        Assert.Equal(0, count);
    }

    [Fact]
    public void The_leftovers_of_a_path_become_one_verified_archive_with_the_latest_copy_of_each_object()
    {
        var archive = Path.Combine(_folder, "prod.kva");
        var (first, _) = Interrupted(archive, "a", "b");

        // A second interrupted run (e.g. a resumed one, killed in turn) saved b again and c.
        var second = Path.Combine(_folder, $".prod.kva.{Guid.NewGuid():N}.partial");
        using (var writer = ArchiveWriter.Create(Path.Combine(_folder, "other.kva"), false, DateTimeOffset.UnixEpoch, keepForResume: true))
        {
            var newer = ArchiveTestData.Saved(KvObjectType.Secret, "b");
            newer.BackedUpOn = newer.BackedUpOn!.Value.AddHours(1);
            writer.WriteEntry(newer, ArchiveTestData.Blob(42, 300));
            writer.WriteEntry(ArchiveTestData.Saved(KvObjectType.Secret, "c"), ArchiveTestData.Blob(43, 300));
            writer.Dispose();
            File.Move(writer.KeptPath!, second);
        }

        // Another archive's leftover is not this path's.
        var (other, _) = Interrupted(Path.Combine(_folder, "staging.kva"), "z");

        var salvage = PartialArchive.Salvage(archive, DateTimeOffset.UnixEpoch, out var count);
        Assert.NotNull(salvage);
        Assert.Equal(3, count);
        using (var reader = ArchiveReader.Open(salvage))
        {
            Assert.Empty(reader.Verify().Errors);
            Assert.Equal(["a", "b", "c"], reader.Items.Select(i => i.Name).Order());
            var b = reader.Items.Single(i => i.Name == "b");
            Assert.Equal(ArchiveTestData.Blob(42, 300), reader.ReadBlob(b));
        }

        Assert.True(File.Exists(first) && File.Exists(second) && File.Exists(other));

        // The salvage is itself a leftover of the path: a later salvage finds it (and the writer's cleanup removes it).
        Assert.Contains(salvage, PartialArchive.Find(archive));
    }
}
