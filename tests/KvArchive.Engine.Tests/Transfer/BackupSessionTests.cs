using KvArchive.Engine.Archive;
using KvArchive.Engine.Tests.Archive;
using KvArchive.Engine.Tests.Hosting;
using KvArchive.Engine.Transfer;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Transfer;

[Trait("Category", "Unit")]
public sealed class BackupSessionTests : IDisposable
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

    private BackupSession Start(int throttle = 8, bool force = false)
        => BackupSession.Start(_host, new BackupOptions { Path = ArchivePath, ThrottleLimit = throttle, Force = force }, SessionClients.Borrow(_vault));

    [Fact]
    public void Output_comes_in_input_order_and_every_host_call_on_the_calling_thread()
    {
        _vault.Latency = TimeSpan.FromMilliseconds(3);
        var input = new List<KvObject>();
        var random = new Random(4);
        for (var i = 0; i < 60; i++)
        {
            var type = (KvObjectType)(i % 3);
            input.Add(_vault.Add(type, $"obj{i:D3}", versions: 1 + random.Next(3), tags: new Dictionary<string, string> { ["n"] = $"{i}" }));
        }

        var driver = Environment.CurrentManagedThreadId;
        BackupSummary summary;
        using (var session = Start(throttle: 8))
        {
            foreach (var item in input)
            {
                session.Add(item);
            }

            summary = session.Complete();
        }

        Assert.Equal([driver], _host.Threads);
        var records = _host.Records.Cast<BackupRecord>().ToList();
        Assert.Equal(input.Select(i => (i.Type, i.Name)), records.Select(r => (r.Type, r.Name)));
        Assert.All(records, r => Assert.Equal(BackupStatus.Saved, r.Status));
        Assert.Equal(60, summary.Saved);
        Assert.InRange(_vault.MaxConcurrency, 2, 8);
        Assert.Empty(_host.Errors);
        Assert.True(_host.Progress.Last().Completed);

        using var reader = ArchiveReader.Open(ArchivePath);
        Assert.True(reader.Verify().IsValid);
        Assert.Equal(60, reader.Items.Count);
        foreach (var item in input)
        {
            var archived = reader.Items.Single(i => i.Type == item.Type && i.Name == item.Name);
            var versions = _vault.Versions(item.Type, item.Name);
            Assert.Equal(versions.Select(v => v.Version), archived.Versions.Select(v => v.Version));
            Assert.Equal(versions.Select(v => v.UpdatedOn), archived.Versions.Select(v => v.UpdatedOn));
            Assert.Equal(versions[0].Version, archived.Version);
            Assert.Equal(item.Tags["n"], archived.Tags["n"]);
            Assert.Equal(_vault.VaultUri, archived.SourceVaultUri);
            var record = records.Single(r => r.Type == item.Type && r.Name == item.Name);
            Assert.Equal(archived.Sha256, record.Sha256);
            Assert.Equal(versions.Count, record.Versions);
            Assert.Equal(reader.ReadBlob(archived).Length, record.Size);
        }
    }

    [Fact]
    public void Managed_objects_are_skipped_with_a_record_naming_the_certificate()
    {
        _vault.Add(KvObjectType.Certificate, "web");
        var managedSecret = _vault.Add(KvObjectType.Secret, "web", managed: true);
        _vault.Add(KvObjectType.Key, "web", managed: true);

        using (var session = Start())
        {
            session.Add(new BackupRequest { Type = KvObjectType.Certificate, Name = "web" });
            session.Add(managedSecret);
            session.Add(new BackupRequest { Type = KvObjectType.Key, Name = "web" });
            session.Complete();
        }

        var records = _host.Records.Cast<BackupRecord>().ToList();
        Assert.Equal([BackupStatus.Saved, BackupStatus.Skipped, BackupStatus.Skipped], records.Select(r => r.Status));
        Assert.All(records.Skip(1), r => Assert.Contains("certificate's backup carries", r.Reason));
        Assert.Equal(1, _vault.Count("backup"));
        Assert.Empty(_host.Errors);
        using var reader = ArchiveReader.Open(ArchivePath);
        Assert.Equal(2, reader.Items.Count(i => i.Status == ArchiveEntryStatus.Skipped && i.Managed));
    }

    [Fact]
    public void An_object_with_too_many_versions_fails_alone()
    {
        _vault.Add(KvObjectType.Secret, "a");
        var big = _vault.Add(KvObjectType.Secret, "huge", versions: 501);
        _vault.Add(KvObjectType.Secret, "z");

        using (var session = Start())
        {
            session.AddVault();
            session.Complete();
        }

        var error = Assert.Single(_host.Errors);
        Assert.Equal(KvErrorIds.TooManyVersions, error.Exception.ErrorId);
        Assert.Equal("huge", ((KvObject)error.Target!).Name);
        Assert.Contains("500", error.Exception.Message);
        var records = _host.Records.Cast<BackupRecord>().ToList();
        Assert.Equal(["a", "huge", "z"], records.Select(r => r.Name));
        Assert.Equal([BackupStatus.Saved, BackupStatus.Failed, BackupStatus.Saved], records.Select(r => r.Status));
        Assert.Equal(0, _vault.Log.Count(l => l == "backup Secret huge"));

        using var reader = ArchiveReader.Open(ArchivePath);
        var failed = reader.Items.Single(i => i.Name == "huge");
        Assert.Equal(ArchiveEntryStatus.Failed, failed.Status);
        Assert.Contains("has 501 versions", failed.Reason);
        Assert.True(reader.Verify().IsValid);
    }

    [Fact]
    public void An_object_that_changes_once_is_backed_up_again_and_one_that_keeps_changing_is_marked()
    {
        _vault.Add(KvObjectType.Secret, "once");
        _vault.Add(KvObjectType.Secret, "always");
        _vault.Add(KvObjectType.Secret, "still");
        var changedOnce = 0;
        _vault.AfterBackup = (type, name) =>
        {
            if (name == "always" || (name == "once" && Interlocked.Increment(ref changedOnce) == 1))
            {
                _vault.AddVersion(type, name);
            }
        };

        using (var session = Start())
        {
            session.AddVault();
            session.Complete();
        }

        var records = _host.Records.Cast<BackupRecord>().ToDictionary(r => r.Name);
        Assert.Equal(BackupStatus.Changed, records["always"].Status);
        Assert.Equal(BackupStatus.Saved, records["once"].Status);
        Assert.Equal(2, records["once"].Versions);
        Assert.Equal(BackupStatus.Saved, records["still"].Status);
        Assert.Equal(2, _vault.Log.Count(l => l == "backup Secret once"));
        Assert.Equal(2, _vault.Log.Count(l => l == "backup Secret always"));
        Assert.Equal(1, _vault.Log.Count(l => l == "backup Secret still"));
        var warning = Assert.Single(_host.Warnings);
        Assert.Contains("always", warning);

        using var reader = ArchiveReader.Open(ArchivePath);
        Assert.Equal(ArchiveEntryStatus.Changed, reader.Items.Single(i => i.Name == "always").Status);
        Assert.Equal(2, reader.Items.Single(i => i.Name == "once").Versions.Count);
    }

    [Fact]
    public void A_failure_is_an_error_on_the_object_a_record_and_a_manifest_row()
    {
        var denied = _vault.Add(KvObjectType.Key, "denied");
        _vault.Add(KvObjectType.Key, "fine");
        _vault.BackupFailure = (_, name) => name == "denied"
            ? new KvException(KvErrorKind.PermissionDenied, KvErrorIds.PermissionDenied, "The caller may not back up key 'denied'.") { Status = 403 }
            : null;

        using (var session = Start())
        {
            session.AddVault(types: [KvObjectType.Key]);
            var summary = session.Complete();
            Assert.Equal((1, 1), (summary.Saved, summary.Failed));
        }

        var error = Assert.Single(_host.Errors);
        Assert.Equal(KvErrorIds.PermissionDenied, error.Exception.ErrorId);
        Assert.Equal("denied", ((KvObject)error.Target!).Name);
        var failed = _host.Records.Cast<BackupRecord>().Single(r => r.Name == "denied");
        Assert.Equal(BackupStatus.Failed, failed.Status);
        Assert.Equal(error.Exception.Message, failed.Reason);
        var callIndex = _host.Calls.ToList().FindIndex(c => c.Kind == "error");
        Assert.Same(failed, _host.Calls.ToList()[callIndex + 1].Value);

        using var reader = ArchiveReader.Open(ArchivePath);
        var row = reader.Items.Single(i => i.Name == "denied");
        Assert.Equal(ArchiveEntryStatus.Failed, row.Status);
        Assert.Equal(error.Exception.Message, row.Reason);
    }

    [Theory]
    [InlineData(KvErrorKind.Unauthenticated, "KvUnauthenticated")]
    [InlineData(KvErrorKind.NotFound, "KvInvalidVault")]
    public void A_failure_no_object_can_escape_ends_the_backup_once(KvErrorKind kind, string id)
    {
        _vault.Latency = TimeSpan.FromMilliseconds(5);
        for (var i = 0; i < 50; i++)
        {
            _vault.Add(KvObjectType.Secret, $"s{i:D2}");
        }

        _vault.BackupFailure = (_, name) => name == "s10" ? new KvException(kind, id, "No token could be had.") : null;
        using (var session = Start(throttle: 4))
        {
            var e = Assert.Throws<KvException>(() =>
            {
                session.AddVault();
                session.Complete();
            });
            Assert.Equal(id, e.ErrorId);
        }

        Assert.DoesNotContain(_host.Errors, x => x.Exception.ErrorId == id);
        AssertNoArchiveOnlyWhatWasSaved();
    }

    [Fact]
    public void A_connection_failure_on_one_object_fails_that_object_and_the_backup_goes_on()
    {
        for (var i = 0; i < 50; i++)
        {
            _vault.Add(KvObjectType.Secret, $"s{i:D2}");
        }

        _vault.BackupFailure = (_, name) => name == "s10" ? new KvException(KvErrorKind.Connection, KvErrorIds.VaultUnreachable, "Vault 'prod' could not be reached (Connection reset by peer).") : null;
        BackupSummary summary;
        using (var session = Start(throttle: 4))
        {
            session.AddVault();
            summary = session.Complete();
        }

        Assert.Equal((49, 1), (summary.Saved, summary.Failed));
        var error = Assert.Single(_host.Errors);
        Assert.Equal(KvErrorIds.VaultUnreachable, error.Exception.ErrorId);
        Assert.Equal("s10", Assert.IsType<KvObject>(error.Target).Name);
        using var reader = ArchiveReader.Open(ArchivePath);
        Assert.Equal(ArchiveEntryStatus.Failed, reader.Items.Single(i => i.Name == "s10").Status);
    }

    [Fact]
    public void Cancelling_mid_run_stops_quickly_and_leaves_no_archive()
    {
        _vault.Latency = TimeSpan.FromMilliseconds(40);
        for (var i = 0; i < 200; i++)
        {
            _vault.Add(KvObjectType.Secret, $"s{i:D3}");
        }

        _host.CancelAfterRecords = 5;
        var session = Start(throttle: 4);
        var e = Assert.Throws<KvException>(() =>
        {
            session.AddVault();
            session.Complete();
        });
        var stoppedAt = DateTime.UtcNow;
        session.Dispose();
        Assert.True(DateTime.UtcNow - stoppedAt < TimeSpan.FromSeconds(2));
        Assert.Equal(KvErrorIds.Cancelled, e.ErrorId);
        Assert.Equal(KvErrorKind.Cancelled, e.Kind);
        Assert.False(File.Exists(ArchivePath));
        Assert.InRange(AssertNoArchiveOnlyWhatWasSaved(), 5, 40);
        Assert.InRange(_host.Records.Count, 5, 40);
    }

    [Fact]
    public void Cancelling_leaves_the_previous_archive_intact()
    {
        var blobs = ArchiveTestData.WriteSample(ArchivePath);
        var before = File.ReadAllBytes(ArchivePath);
        _vault.Latency = TimeSpan.FromMilliseconds(20);
        for (var i = 0; i < 100; i++)
        {
            _vault.Add(KvObjectType.Secret, $"s{i:D3}");
        }

        _host.CancelAfterRecords = 10;
        using (var session = Start(throttle: 4, force: true))
        {
            Assert.Throws<KvException>(() =>
            {
                session.AddVault();
                session.Complete();
            });
        }

        Assert.Equal(before, File.ReadAllBytes(ArchivePath));
        Assert.InRange(AssertNoArchiveOnlyWhatWasSaved(), 10, 40);
        using var reader = ArchiveReader.Open(ArchivePath);
        Assert.Equal(blobs["web-tls"], reader.ReadBlob(reader.Items.Single(i => i.Name == "web-tls" && i.HasBlob)));
    }

    [Fact]
    public void A_session_disposed_without_Complete_leaves_nothing_at_the_path()
    {
        _vault.Add(KvObjectType.Secret, "a");
        using (var session = Start())
        {
            session.AddVault();
        }

        Assert.False(File.Exists(ArchivePath));
        Assert.InRange(AssertNoArchiveOnlyWhatWasSaved(), 0, 1);
    }

    /// <summary>
    /// Besides an archive that was there before, the folder holds at most the stopped run's resume point (a hidden
    /// leftover of the path with what it saved: a file that holds nothing is not kept). Returns how many objects it holds.
    /// </summary>
    private int AssertNoArchiveOnlyWhatWasSaved()
    {
        var others = Directory.GetFiles(_folder).Where(f => f != ArchivePath).ToList();
        Assert.True(others.Count <= 1, string.Join(", ", others));
        Assert.All(others, f => Assert.Contains(f, PartialArchive.Find(ArchivePath)));
        var saved = others.Sum(f => PartialArchive.Scan(f).Count);
        Assert.True(others.Count == 0 || saved > 0);
        return saved;
    }

    [Fact]
    public void An_existing_archive_needs_Force_and_is_checked_before_any_work()
    {
        File.WriteAllText(ArchivePath, "old");
        var e = Assert.Throws<KvException>(() => Start());
        Assert.Equal(KvErrorIds.ArchiveExists, e.ErrorId);
        Assert.Empty(_vault.Log);

        _vault.Add(KvObjectType.Secret, "a");
        using (var session = Start(force: true))
        {
            session.AddVault();
            session.Complete();
        }

        using var reader = ArchiveReader.Open(ArchivePath);
        Assert.Equal("a", Assert.Single(reader.Items).Name);
        Assert.Contains(_host.ShouldProcessCalls, c => c.Target == ArchivePath && c.Action.Contains("Replace", StringComparison.Ordinal));
    }

    [Fact]
    public void WhatIf_writes_nothing_and_calls_no_vault()
    {
        _host.Answer = (_, _) => false;
        var item = _vault.Add(KvObjectType.Secret, "a");
        using (var session = Start())
        {
            Assert.True(session.WhatIf);
            session.Add(item);
            Assert.Null(session.Complete().Path);
        }

        Assert.Empty(Directory.GetFiles(_folder));
        Assert.Empty(_vault.Log);
        Assert.Empty(_host.Records);
    }

    [Fact]
    public void Duplicates_are_backed_up_once()
    {
        var a = _vault.Add(KvObjectType.Secret, "a");
        using (var session = Start())
        {
            session.Add(a);
            session.Add(new BackupRequest { Type = KvObjectType.Secret, Name = "A" });
            session.Complete();
        }

        Assert.Equal([BackupStatus.Saved, BackupStatus.Skipped], _host.Records.Cast<BackupRecord>().Select(r => r.Status));
        Assert.Equal(1, _vault.Count("backup"));
    }

    [Fact]
    public void Progress_is_written_at_most_every_quarter_second_with_counts()
    {
        _vault.Latency = TimeSpan.FromMilliseconds(15);
        for (var i = 0; i < 80; i++)
        {
            _vault.Add(KvObjectType.Secret, $"s{i:D3}");
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        using (var session = BackupSession.Start(_host, new BackupOptions { Path = ArchivePath, ThrottleLimit = 2, ExpectedCount = 80 }, SessionClients.Borrow(_vault)))
        {
            session.AddVault();
            session.Complete();
        }

        var progress = _host.Progress;
        Assert.True(progress.Count >= 3, $"{progress.Count} progress records");
        Assert.True(progress.Count(p => !p.Completed) <= (watch.Elapsed.TotalMilliseconds / 250) + 3, $"{progress.Count} progress records in {watch.Elapsed}");
        Assert.Contains(progress, p => p.PercentComplete is > 0 and < 100 && p.SecondsRemaining >= 0 && p.Status.Contains("of 80 objects", StringComparison.Ordinal) && p.Status.Contains("/s", StringComparison.Ordinal));
        Assert.True(progress[^1].Completed);
    }

    /// <summary>A session whose limiter hears the fake's clock, as it hears the Date header of a real vault.</summary>
    private BackupSession StartWithServerClock(int throttle = 8)
    {
        var limiter = new AdaptiveRateLimiter();
        _vault.Observer = limiter;
        return BackupSession.Start(_host, new BackupOptions { Path = ArchivePath, ThrottleLimit = throttle, RateLimiter = limiter }, SessionClients.Borrow(_vault));
    }

    [Fact]
    public void Changes_are_checked_from_one_listing_of_the_vault_not_a_second_version_list_per_object()
    {
        _vault.Latency = TimeSpan.FromMilliseconds(2);
        for (var i = 0; i < 130; i++)
        {
            _vault.Add(KvObjectType.Secret, $"s{i:D3}", versions: 1 + (i % 3));
        }

        BackupSummary summary;
        using (var session = StartWithServerClock(throttle: 8))
        {
            session.AddVault(types: [KvObjectType.Secret]);
            summary = session.Complete();
        }

        Assert.Equal(130, summary.Saved);
        Assert.Empty(_host.Errors);
        Assert.Equal(130, _vault.Count("backup"));

        // One version list per object (for the manifest); the change check is the listing: the session's own
        // (6 pages) and the check's, which reads at most one more pass. An object the check's listing passes while
        // it is still being backed up has its versions listed again: on a busy machine a page's worth may be.
        Assert.InRange(_vault.Count("versions"), 130, 130 + 25);
        Assert.InRange(_vault.Count("list"), 7, 6 + 7);
        Assert.Equal(Enumerable.Range(0, 130).Select(i => $"s{i:D3}"), _host.Records.Cast<BackupRecord>().Select(r => r.Name));

        using var reader = ArchiveReader.Open(ArchivePath);
        Assert.True(reader.Verify().IsValid);
        foreach (var item in reader.Items)
        {
            Assert.Equal(_vault.Versions(item.Type, item.Name).Select(v => (v.Version!, v.UpdatedOn)), item.Versions.Select(v => (v.Version, v.UpdatedOn)));
        }
    }

    [Fact]
    public void An_object_changed_after_its_backup_is_caught_by_the_listing_and_backed_up_again()
    {
        for (var i = 0; i < 60; i++)
        {
            _vault.Add(KvObjectType.Secret, $"s{i:D2}");
        }

        var changedOnce = 0;
        _vault.AfterBackup = (type, name) =>
        {
            if (name == "s40" || (name == "s07" && Interlocked.Increment(ref changedOnce) == 1))
            {
                _vault.AddVersion(type, name);
            }
        };

        using (var session = StartWithServerClock())
        {
            session.AddVault();
            session.Complete();
        }

        var records = _host.Records.Cast<BackupRecord>().ToDictionary(r => r.Name);
        Assert.Equal(60, records.Count);
        Assert.Equal(BackupStatus.Changed, records["s40"].Status);
        Assert.Equal(BackupStatus.Saved, records["s07"].Status);
        Assert.Equal(2, records["s07"].Versions);
        Assert.Equal(58, records.Values.Count(r => r.Status == BackupStatus.Saved && r.Name is not "s07" && r.Versions == 1));
        Assert.Equal(2, _vault.Log.Count(l => l == "backup Secret s07"));
        Assert.Equal(2, _vault.Log.Count(l => l == "backup Secret s40"));
        Assert.InRange(_vault.Count("versions"), 60 + 4, 60 + 4 + 25);
        Assert.Contains("s40", Assert.Single(_host.Warnings));

        using var reader = ArchiveReader.Open(ArchivePath);
        Assert.True(reader.Verify().IsValid);
        Assert.Equal(60, reader.Items.Count);
        Assert.Equal(ArchiveEntryStatus.Changed, reader.Items.Single(i => i.Name == "s40").Status);
        var once = reader.Items.Single(i => i.Name == "s07");
        Assert.Equal(_vault.Versions(KvObjectType.Secret, "s07").Select(v => v.Version), once.Versions.Select(v => v.Version));
    }

    [Fact]
    public void An_object_updated_in_the_second_its_versions_were_listed_is_checked_by_listing_them_again()
    {
        // The service's clock stands at the second the objects were last updated: a change in that same second
        // would show the same times in a listing, so each object's versions are listed again instead.
        _vault.ServerNow = () => DateTimeOffset.FromUnixTimeSeconds(1_700_000_001);
        _vault.Add(KvObjectType.Secret, "fresh", versions: 2);
        _vault.Add(KvObjectType.Secret, "older");
        using (var session = StartWithServerClock())
        {
            session.AddVault(types: [KvObjectType.Secret]);
            session.Complete();
        }

        Assert.Equal(2, _vault.Log.Count(l => l == "versions Secret fresh"));
        Assert.Equal(2, _vault.Log.Count(l => l == "versions Secret older"));
        Assert.All(_host.Records.Cast<BackupRecord>(), r => Assert.Equal(BackupStatus.Saved, r.Status));
    }

    [Fact]
    public void An_object_deleted_after_its_backup_is_not_in_the_listing_and_fails_as_before()
    {
        for (var i = 0; i < 30; i++)
        {
            _vault.Add(KvObjectType.Key, $"k{i:D2}");
        }

        _vault.AfterBackup = (type, name) =>
        {
            if (name == "k20")
            {
                _vault.SoftDelete(type, name);
            }
        };

        using (var session = StartWithServerClock())
        {
            session.AddVault(types: [KvObjectType.Key]);
            var summary = session.Complete();
            Assert.Equal((29, 1), (summary.Saved, summary.Failed));
        }

        var error = Assert.Single(_host.Errors);
        Assert.Equal("k20", ((KvObject)error.Target!).Name);
        Assert.Equal(KvErrorKind.NotFound, error.Exception.Kind);

        // Listed again alone (the fake answers an empty list where the service answers 404), then taken again.
        Assert.InRange(_vault.Log.Count(l => l == "versions Key k20"), 2, 3);
    }

    [Fact]
    public void Named_queries_are_listed_by_the_session_and_a_name_not_found_fails_alone_in_input_order()
    {
        _vault.Add(KvObjectType.Secret, "db-a");
        _vault.Add(KvObjectType.Secret, "db-b");
        _vault.Add(KvObjectType.Secret, "web");
        var driver = Environment.CurrentManagedThreadId;
        using (var session = Start())
        {
            session.Add(new KvObjectQuery { Types = [KvObjectType.Secret], Name = "db-*" }, _vault.VaultUri);
            session.Add(new KvObjectQuery { Types = [KvObjectType.Secret], Name = "missing" }, _vault.VaultUri);
            session.Add(new KvObjectQuery { Types = [KvObjectType.Secret], Name = "web" }, _vault.VaultUri);
            Assert.Equal(3, session.Complete().Saved);
        }

        Assert.Equal([driver], _host.Threads);
        Assert.Equal(["db-a", "db-b", "web"], _host.Records.Cast<BackupRecord>().Select(r => r.Name));
        var error = Assert.Single(_host.Errors);
        Assert.Equal((KvErrorIds.ObjectNotFound, (object?)"missing"), (error.Exception.ErrorId, error.Target));
        var calls = _host.Calls.Where(c => c.Kind is "error" or "object").Select(c => c.Kind).ToList();
        Assert.Equal(["object", "object", "error", "object"], calls);
        EngineText.AssertNamesNoCommand([error.Exception.Message]);
        using var reader = ArchiveReader.Open(ArchivePath);
        Assert.Equal(3, reader.Items.Count);
    }
}
