using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;
using Xunit.Abstractions;

namespace KvArchive.Engine.Tests.Archive;

/// <summary>Bounded reading: a hostile archive is refused within a fixed amount of memory, while it is streamed.</summary>
[Trait("Category", "Unit")]
public sealed class ArchiveLimitTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _folder = ArchiveTestData.NewFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The hostile value's size: 20 MB by default; KVARCHIVE_HOSTILE_MB measures others (docs/RELIABILITY.md).</summary>
    private static int HostileMegabytes => int.TryParse(Environment.GetEnvironmentVariable("KVARCHIVE_HOSTILE_MB"), out var mb) ? mb : 20;

    [Fact]
    public void A_huge_property_value_is_refused_while_streaming_without_holding_it()
    {
        var path = Path.Combine(_folder, "hostile.kva");
        WriteWithTags(path, new Dictionary<string, string> { ["big"] = new string('x', HostileMegabytes << 20) });

        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var check = ArchiveReader.Verify(path);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        log.WriteLine($"{HostileMegabytes} MB property: Verify allocated {allocated / (1 << 20)} MB; {string.Join(" ", check.Errors.Select(e => e.Exception.ErrorId))}");

        Assert.False(check.IsValid);
        var error = Assert.Single(check.Errors).Exception;
        Assert.Equal(KvErrorIds.ArchiveLimitExceeded, error.ErrorId);
        Assert.Equal(KvErrorKind.InvalidData, error.Kind);
        Assert.InRange(allocated, 0, 8L << 20);
        Assert.Equal(KvErrorIds.ArchiveLimitExceeded, Assert.Throws<KvException>(() => ArchiveReader.Open(path).Dispose()).ErrorId);
    }

    [Fact]
    public void A_huge_row_of_small_values_is_refused_by_its_length()
    {
        var path = Path.Combine(_folder, "wide.kva");
        WriteWithTags(path, Enumerable.Range(0, 12_000).ToDictionary(i => $"t{i}", _ => new string('y', 100)));
        var e = Assert.Throws<KvException>(() => ArchiveReader.Open(path).Dispose());
        Assert.Equal(KvErrorIds.ArchiveLimitExceeded, e.ErrorId);
        Assert.Contains("row", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rows_within_the_limits_read_as_before()
    {
        var path = Path.Combine(_folder, "fine.kva");
        WriteWithTags(path, Enumerable.Range(0, 15).ToDictionary(i => $"t{i}", _ => new string('z', 256)));
        Assert.True(ArchiveReader.Verify(path).IsValid);
    }

    private static void WriteWithTags(string path, Dictionary<string, string> tags)
    {
        using var writer = ArchiveWriter.Create(path, false, DateTimeOffset.UnixEpoch);
        var document = ArchiveTestData.Saved(KvObjectType.Secret, "hostile");
        document.Tags = tags;
        writer.WriteEntry(document, ArchiveTestData.Blob(1, 100));
        writer.Commit(DateTimeOffset.UnixEpoch);
    }
}
