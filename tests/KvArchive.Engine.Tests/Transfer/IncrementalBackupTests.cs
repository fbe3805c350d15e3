using KvArchive.Engine.Archive;
using KvArchive.Engine.Tests.Archive;
using KvArchive.Engine.Tests.Hosting;
using KvArchive.Engine.Transfer;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Transfer;

/// <summary>Backups built on a base archive: copy what did not change, back up what did, record what was deleted.</summary>
[Trait("Category", "Unit")]
public sealed class IncrementalBackupTests : IDisposable
{
    private readonly string _folder = ArchiveTestData.NewFolder();
    private readonly FakeVaultClient _vault = new("prod");

    public IncrementalBackupTests()
    {
        // The service's clock well after every object's last update (the fake's new versions are dated 2027).
        _vault.ServerNow = () => DateTimeOffset.FromUnixTimeSeconds(1_900_000_000);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private (BackupSummary Summary, RecordingHost Host) Backup(string path, string? basePath = null, TimeSpan? maxAge = null, bool force = false)
    {
        var host = new RecordingHost();
        var limiter = new AdaptiveRateLimiter();
        _vault.Observer = limiter;
        using var session = BackupSession.Start(host, new BackupOptions { Path = path, BaseArchivePath = basePath, MaxCopiedAge = maxAge ?? TimeSpan.FromDays(7), Force = force, RateLimiter = limiter }, SessionClients.Borrow(_vault));
        session.AddVault();
        return (session.Complete(), host);
    }

    private void Seed(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _vault.Add((KvObjectType)(i % 3), $"o{i:D2}", versions: 1 + (i % 2), tags: new Dictionary<string, string> { ["i"] = $"{i}" }, contentType: i % 3 == 0 ? "text/plain" : null);
        }
    }

    [Fact]
    public void Only_changed_and_new_objects_are_backed_up_and_deleted_ones_are_recorded_not_carried_forward()
    {
        Seed(30);
        var (full, _) = Backup(PathOf("base.kva"));
        Assert.Equal(30, full.Saved);

        // New versions (dated in the past, as the service's are by the time a backup lists them).
        _vault.Add(KvObjectType.Secret, "o00", versions: 3);
        _vault.Add(KvObjectType.Key, "o01", versions: 3);
        _vault.Add(KvObjectType.Certificate, "o02", versions: 3);
        _vault.SoftDelete(KvObjectType.Secret, "o03");
        _vault.Add(KvObjectType.Secret, "new-one");
        _vault.Log.Clear();

        var (summary, host) = Backup(PathOf("next.kva"), PathOf("base.kva"));
        Assert.Empty(host.Errors);
        Assert.Equal((4, 26, 1, 0), (summary.Saved, summary.Copied, summary.Deleted, summary.Failed));

        // One listing per kind, and one backup request per changed or new object: no version lists, no copies' calls.
        Assert.Equal(4, _vault.Count("backup"));
        Assert.Equal(0, _vault.Count("versions"));
        Assert.Equal(3, _vault.Count("list"));

        var records = host.Records.Cast<BackupRecord>().ToList();
        Assert.Equal(BackupStatus.Deleted, records.Single(r => r.Name == "o03").Status);
        Assert.Equal(["new-one", "o00", "o01", "o02"], records.Where(r => r.Status == BackupStatus.Saved).Select(r => r.Name).Order());

        // The new archive stands alone: it verifies, holds every live object's blob, and the deleted one without a blob.
        var verification = ArchiveReader.Verify(PathOf("next.kva"));
        Assert.Empty(verification.Errors);
        Assert.Equal(30, verification.VerifiedCount);
        using var reader = ArchiveReader.Open(PathOf("next.kva"));
        using var first = ArchiveReader.Open(PathOf("base.kva"));
        var deleted = reader.Items.Single(i => i.Name == "o03");
        Assert.Equal((ArchiveEntryStatus.Skipped, false), (deleted.Status, deleted.HasBlob));
        Assert.Contains("Deleted since the base archive", deleted.Reason);
        foreach (var copied in reader.Items.Where(i => records.Single(r => r.Name == i.Name && r.Type == i.Type).Status == BackupStatus.Copied))
        {
            var original = first.Items.Single(i => i.Name == copied.Name && i.Type == copied.Type);
            Assert.Equal(first.ReadBlob(original), reader.ReadBlob(copied));
            Assert.Equal((original.BackedUpOn, original.Versions.Count, original.UpdatedOn), (copied.BackedUpOn, copied.Versions.Count, copied.UpdatedOn));
        }

        // A changed object's entry describes it as listed; its blob is the vault's current one.
        var changed = reader.Items.Single(i => i.Name == "o00");
        Assert.Equal(_vault.Versions(KvObjectType.Secret, "o00")[0].UpdatedOn, changed.UpdatedOn);

        // The next run, on the incremental archive: nothing changed, everything copied, the deleted object is gone for good.
        _vault.Log.Clear();
        var (again, _) = Backup(PathOf("third.kva"), PathOf("next.kva"));
        Assert.Equal((0, 30, 0), (again.Saved, again.Copied, again.Deleted));
        Assert.Equal(0, _vault.Count("backup"));
        using var third = ArchiveReader.Open(PathOf("third.kva"));
        Assert.DoesNotContain(third.Items, i => i.Name == "o03");
    }

    [Fact]
    public void A_property_change_without_a_new_version_is_backed_up()
    {
        _vault.Add(KvObjectType.Secret, "tagged", tags: new Dictionary<string, string> { ["a"] = "1" });
        _vault.Add(KvObjectType.Secret, "same");
        Backup(PathOf("base.kva"));
        _vault.Add(KvObjectType.Secret, "tagged", tags: new Dictionary<string, string> { ["a"] = "2" });
        var (summary, host) = Backup(PathOf("next.kva"), PathOf("base.kva"));
        Assert.Equal((1, 1), (summary.Saved, summary.Copied));
        Assert.Equal("tagged", host.Records.Cast<BackupRecord>().Single(r => r.Status == BackupStatus.Saved).Name);
    }

    [Fact]
    public void Entries_older_than_the_age_limit_are_backed_up_again()
    {
        Seed(6);
        Backup(PathOf("base.kva"));
        var (summary, _) = Backup(PathOf("next.kva"), PathOf("base.kva"), maxAge: TimeSpan.Zero);
        Assert.Equal((6, 0), (summary.Saved, summary.Copied));
        Assert.Empty(ArchiveReader.Verify(PathOf("next.kva")).Errors);
    }

    [Fact]
    public void The_base_may_be_the_archive_the_run_replaces()
    {
        Seed(6);
        Backup(PathOf("nightly.kva"));
        _vault.AddVersion(KvObjectType.Secret, "o00");
        var (summary, _) = Backup(PathOf("nightly.kva"), PathOf("nightly.kva"), force: true);
        Assert.Equal((1, 5), (summary.Saved, summary.Copied));
        Assert.Empty(ArchiveReader.Verify(PathOf("nightly.kva")).Errors);
    }

    [Theory]
    [InlineData("flipped byte")]
    [InlineData("truncated")]
    [InlineData("not an archive")]
    public void A_damaged_base_ends_the_run_before_anything_is_copied_or_written(string damage)
    {
        Seed(6);
        Backup(PathOf("base.kva"));
        var bytes = File.ReadAllBytes(PathOf("base.kva"));
        switch (damage)
        {
            case "flipped byte":
                bytes[bytes.Length / 2] ^= 0x40;
                break;
            case "truncated":
                bytes = bytes[..(bytes.Length - 100)];
                break;
            default:
                bytes = RecordedBackups.Secret;
                break;
        }

        File.WriteAllBytes(PathOf("base.kva"), bytes);
        _vault.Log.Clear();
        var e = Assert.Throws<KvException>(() => Backup(PathOf("next.kva"), PathOf("base.kva")));
        Assert.Equal(KvErrorIds.BaseArchiveInvalid, e.ErrorId);
        Assert.False(File.Exists(PathOf("next.kva")));
        Assert.Empty(Directory.GetFiles(_folder, "*.partial*"));

        // Verified while the vault is listed: nothing was copied, and no object was backed up.
        Assert.Equal(0, _vault.Count("backup"));
    }
}
