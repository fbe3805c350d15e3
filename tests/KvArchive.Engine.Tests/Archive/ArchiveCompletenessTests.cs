using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Archive;

/// <summary>Format 1.1's completeness record, its checks, and 1.0 archives still read.</summary>
[Trait("Category", "Unit")]
public sealed class ArchiveCompletenessTests : IDisposable
{
    private readonly string _folder = ArchiveTestData.NewFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_1_0_archive_is_read_and_complete_only_when_nothing_failed()
    {
        var withFailure = Path.Combine(_folder, "old.kva");
        ArchiveTestData.WriteSample(withFailure, formatVersion: "1.0");
        var check = ArchiveReader.Verify(withFailure);
        Assert.True(check.IsValid, string.Join("\n", check.Errors.Select(e => e.Exception.Message)));
        Assert.Equal("1.0", check.FormatVersion);
        Assert.False(check.RecordsCompleteness);
        Assert.False(check.IsComplete);
        Assert.Equal(1, check.NotSavedCount);

        var clean = Path.Combine(_folder, "clean.kva");
        using (var writer = ArchiveWriter.Create(clean, false, DateTimeOffset.UnixEpoch, "1.0"))
        {
            writer.WriteEntry(ArchiveTestData.Saved(KvObjectType.Secret, "a"), ArchiveTestData.Blob(1, 10));
            writer.Commit(DateTimeOffset.UnixEpoch);
        }

        Assert.True(ArchiveReader.Verify(clean).IsComplete);
        Assert.DoesNotContain("\"complete\"", File.ReadAllText(clean), StringComparison.Ordinal);
    }

    [Fact]
    public void The_current_format_records_requests_and_problems()
    {
        var path = Path.Combine(_folder, "new.kva");
        using (var writer = ArchiveWriter.Create(path, false, DateTimeOffset.UnixEpoch))
        {
            writer.RecordRequest(ArchiveTestData.Vault, [KvObjectType.Key], null, 0);
            writer.RecordProblem(new ArchiveProblemDocument { VaultUri = ArchiveTestData.Vault, Kind = KvObjectType.Key, ErrorId = KvErrorIds.PermissionDenied, Reason = "keys/list refused" });
            writer.WriteEntry(ArchiveTestData.Saved(KvObjectType.Secret, "a"), ArchiveTestData.Blob(1, 10));
            Assert.False(writer.IsComplete);
            writer.Commit(DateTimeOffset.UnixEpoch);
        }

        var check = ArchiveReader.Verify(path);
        Assert.True(check.IsValid, string.Join("\n", check.Errors.Select(e => e.Exception.Message)));
        Assert.False(check.IsComplete);
        Assert.Equal((1, 1, 0), (check.NotSavedCount, check.RefusedCount, check.FailedCount));
        Assert.Contains("every key", Assert.Single(check.NotSaved), StringComparison.Ordinal);
    }
}
