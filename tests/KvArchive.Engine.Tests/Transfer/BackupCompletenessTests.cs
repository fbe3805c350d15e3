using KvArchive.Engine.Archive;
using KvArchive.Engine.Tests.Archive;
using KvArchive.Engine.Tests.Hosting;
using KvArchive.Engine.Transfer;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Transfer;

/// <summary>Completeness is part of the archive: what was asked for, what was not saved, and no empty archive unasked.</summary>
[Trait("Category", "Unit")]
public sealed class BackupCompletenessTests : IDisposable
{
    private readonly string _folder = ArchiveTestData.NewFolder();
    private readonly RecordingHost _host = new();
    private readonly FakeVaultClient _vault = new();

    public void Dispose()
    {
        _host.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private string ArchivePath => Path.Combine(_folder, "prod.kva");

    private BackupSession Start(bool allowEmpty = false)
        => BackupSession.Start(_host, new BackupOptions { Path = ArchivePath, AllowEmpty = allowEmpty }, SessionClients.Borrow(_vault));

    [Fact]
    public void An_archive_where_every_object_failed_is_valid_but_not_complete()
    {
        _vault.Add(KvObjectType.Secret, "a");
        _vault.Add(KvObjectType.Secret, "b");
        _vault.BackupFailure = (type, name) => new KvException(KvErrorKind.PermissionDenied, KvErrorIds.PermissionDenied, $"backup of {name} forbidden");
        BackupSummary summary;
        using (var session = Start(allowEmpty: true))
        {
            session.AddVault(types: [KvObjectType.Secret]);
            summary = session.Complete();
        }

        Assert.False(summary.IsComplete);
        Assert.Equal(2, summary.NotSaved);
        var check = ArchiveReader.Verify(ArchivePath);
        Assert.True(check.IsValid, string.Join("\n", check.Errors.Select(e => e.Exception.Message)));
        Assert.False(check.IsComplete);
        Assert.True(check.RecordsCompleteness);
        Assert.Equal((2, 2, 0, 2), (check.FailedCount, check.NotSavedCount, check.NotFoundCount, check.RefusedCount));
        Assert.Equal(1, check.RequestCount);
    }

    [Fact]
    public void Nothing_saved_writes_no_archive_and_leaves_an_existing_one()
    {
        File.WriteAllText(ArchivePath, "old");
        _vault.Add(KvObjectType.Secret, "a");
        using (var session = BackupSession.Start(_host, new BackupOptions { Path = ArchivePath, Force = true }, SessionClients.Borrow(_vault)))
        {
            session.Add(new KvObjectQuery { Types = [KvObjectType.Secret], Name = "nothing-*" }, _vault.VaultUri);
            var e = Assert.Throws<KvException>(() => session.Complete());
            Assert.Equal(KvErrorIds.ArchiveEmpty, e.ErrorId);
            Assert.Equal(KvErrorKind.InvalidOperation, e.Kind);
        }

        Assert.Equal("old", File.ReadAllText(ArchivePath));
        Assert.Equal([ArchivePath], Directory.GetFiles(_folder));
        Assert.Contains(_host.Warnings, w => w.Contains("nothing-*", StringComparison.Ordinal));
    }

    [Fact]
    public void A_pattern_that_matched_nothing_and_a_name_not_found_make_the_archive_incomplete()
    {
        _vault.Add(KvObjectType.Secret, "app-1");
        using (var session = Start())
        {
            session.Add(new KvObjectQuery { Types = [KvObjectType.Secret], Name = "app-*" }, _vault.VaultUri);
            session.Add(new KvObjectQuery { Types = [KvObjectType.Secret], Name = "db-*" }, _vault.VaultUri);
            session.Add(new KvObjectQuery { Types = [KvObjectType.Secret], Name = "missing" }, _vault.VaultUri);
            var summary = session.Complete();
            Assert.False(summary.IsComplete);
            Assert.Equal(1, summary.Saved);
        }

        var check = ArchiveReader.Verify(ArchivePath);
        Assert.True(check.IsValid, string.Join("\n", check.Errors.Select(e => e.Exception.Message)));
        Assert.False(check.IsComplete);
        Assert.Equal((2, 2, 0), (check.NotSavedCount, check.NotFoundCount, check.FailedCount));
        Assert.Equal(3, check.RequestCount);
        Assert.Equal(2, check.NotSaved.Count);
        Assert.Contains(check.NotSaved, n => n.Contains("db-*", StringComparison.Ordinal));
        Assert.Contains(check.NotSaved, n => n.Contains("missing", StringComparison.Ordinal));
    }

    [Fact]
    public void A_full_backup_is_complete_and_piped_objects_are_counted_as_requested()
    {
        var a = _vault.Add(KvObjectType.Secret, "a");
        var b = _vault.Add(KvObjectType.Key, "b");
        using (var session = Start())
        {
            session.Add(a);
            session.Add(b);
            Assert.True(session.Complete().IsComplete);
        }

        var check = ArchiveReader.Verify(ArchivePath);
        Assert.True(check.IsValid);
        Assert.True(check.IsComplete);
        Assert.Equal((0, 2), (check.NotSavedCount, check.RequestCount));
        Assert.Equal("1.1", check.FormatVersion);
    }

    [Fact]
    public void A_kind_whose_listing_was_refused_is_recorded_as_refused()
    {
        _vault.Add(KvObjectType.Secret, "a");
        using (var session = Start())
        {
            session.AddVault(types: [KvObjectType.Secret]);
            session.RecordNotListed(_vault.VaultUri, KvObjectType.Key, null, new KvException(KvErrorKind.PermissionDenied, KvErrorIds.PermissionDenied, "keys/list refused"));
            Assert.False(session.Complete().IsComplete);
        }

        var check = ArchiveReader.Verify(ArchivePath);
        Assert.True(check.IsValid, string.Join("\n", check.Errors.Select(e => e.Exception.Message)));
        Assert.Equal((1, 1, 1), (check.SavedCount, check.NotSavedCount, check.RefusedCount));
        Assert.Contains("every key", Assert.Single(check.NotSaved), StringComparison.Ordinal);
    }
}
