using KvArchive.Engine.Archive;
using KvArchive.Engine.Tests.Archive;
using KvArchive.Engine.Tests.Hosting;
using KvArchive.Engine.Transfer;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Transfer;

[Trait("Category", "Unit")]
public sealed class RestoreSessionTests : IDisposable
{
    private readonly string _folder = ArchiveTestData.NewFolder();
    private readonly RecordingHost _host = new();
    private readonly FakeVaultClient _source = new("prod");
    private readonly FakeVaultClient _target = new("dr");

    public void Dispose()
    {
        _host.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private string ArchivePath => Path.Combine(_folder, "prod.kva");

    /// <summary>Backs up the source vault with a separate host, so the restore's host sees only the restore.</summary>
    private List<ArchiveItem> Backup()
    {
        using (var host = new RecordingHost())
        using (var session = BackupSession.Start(host, new BackupOptions { Path = ArchivePath }, SessionClients.Borrow(_source)))
        {
            session.AddVault();
            session.Complete();
        }

        using var reader = ArchiveReader.Open(ArchivePath);
        return [.. reader.Items];
    }

    private RestoreSummary Restore(IEnumerable<ArchiveItem> items, RestoreOptions? options = null)
    {
        using var session = RestoreSession.Start(_host, options ?? new RestoreOptions(), SessionClients.Borrow(_target));
        foreach (var item in items)
        {
            session.Add(item);
        }

        return session.Complete();
    }

    private List<RestoreRecord> Records => _host.Records.Cast<RestoreRecord>().ToList();

    [Fact]
    public void Every_entry_comes_back_with_its_versions_in_input_order_on_the_calling_thread()
    {
        _source.Latency = _target.Latency = TimeSpan.FromMilliseconds(2);
        for (var i = 0; i < 40; i++)
        {
            _source.Add((KvObjectType)(i % 3), $"o{i:D2}", versions: 1 + (i % 4), tags: new Dictionary<string, string> { ["i"] = $"{i}" }, contentType: i % 3 == 0 ? "text/plain" : null);
        }

        var items = Backup();
        var driver = Environment.CurrentManagedThreadId;
        var summary = Restore(items, new RestoreOptions { ThrottleLimit = 6 });

        Assert.Equal(40, summary.Restored);
        Assert.Equal([driver], _host.Threads);
        Assert.Equal(items.Select(i => (i.Type, i.Name)), Records.Select(r => (r.Type, r.Name)));
        Assert.All(Records, r => Assert.Equal((RestoreStatus.Restored, _target.VaultUri), (r.Status, r.TargetVaultUri)));
        Assert.InRange(_target.MaxConcurrency, 2, 6);
        foreach (var item in items)
        {
            var source = _source.Versions(item.Type, item.Name);
            var restored = _target.Versions(item.Type, item.Name);
            Assert.Equal(source.Select(v => (v.Version, v.UpdatedOn, v.ContentType)), restored.Select(v => (v.Version, v.UpdatedOn, v.ContentType)));
            Assert.Equal(source[0].Tags["i"], restored[0].Tags["i"]);
        }

        Assert.All(_host.ShouldProcessCalls, c =>
        {
            Assert.Contains("name is free", c.Target);
            Assert.Contains(_target.VaultUri.ToString(), c.Target);
        });
        Assert.Equal(40, _host.ShouldProcessCalls.Count);
    }

    [Fact]
    public void WhatIf_prints_the_plan_and_changes_nothing()
    {
        _source.Add(KvObjectType.Secret, "free");
        _source.Add(KvObjectType.Secret, "there");
        _source.Add(KvObjectType.Key, "gone");
        var items = Backup();
        _target.Add(KvObjectType.Secret, "there");
        _target.Add(KvObjectType.Key, "gone");
        _target.SoftDelete(KvObjectType.Key, "gone");
        _host.Answer = (_, _) => false;

        var summary = Restore(items, new RestoreOptions { SoftDeletedPolicy = SoftDeletedObjectPolicy.Purge });

        Assert.Equal((2, 1, 0), (summary.Planned, summary.Skipped, summary.Restored));
        var records = Records.ToDictionary(r => r.Name);
        Assert.Equal(RestoreStatus.Planned, records["free"].Status);
        Assert.Contains("name is free", records["free"].Reason);
        Assert.Equal(RestoreStatus.Skipped, records["there"].Status);
        Assert.Equal(RestoreStatus.Planned, records["gone"].Status);
        Assert.Contains("Purge", records["gone"].Reason);
        Assert.Contains(_host.ShouldProcessCalls, c => c.Target.Contains("'gone'", StringComparison.Ordinal) && c.Target.Contains("soft-deleted", StringComparison.Ordinal) && c.Action.StartsWith("Purge", StringComparison.Ordinal));
        Assert.Equal(0, _target.Count("restore") + _target.Count("purge"));
        Assert.False(_target.Exists(KvObjectType.Secret, "free"));
    }

    [Fact]
    public void An_existing_name_is_skipped_by_default_and_an_error_with_Fail()
    {
        _source.Add(KvObjectType.Secret, "there");
        var items = Backup();
        var kept = _target.Add(KvObjectType.Secret, "there");

        Restore(items);
        Assert.Equal(RestoreStatus.Skipped, Assert.Single(Records).Status);
        Assert.Contains("already exists", Records[0].Reason);
        Assert.Empty(_host.Errors);

        Restore(items, new RestoreOptions { ExistingPolicy = ExistingObjectPolicy.Fail });
        Assert.Equal(RestoreStatus.Failed, Records[1].Status);
        var error = Assert.Single(_host.Errors);
        Assert.Equal(KvErrorIds.ObjectExists, error.Exception.ErrorId);
        Assert.Same(items[0], error.Target);
        Assert.Equal(0, _target.Count("restore"));
        Assert.Equal(kept.CreatedOn, _target.Versions(KvObjectType.Secret, "there")[0].CreatedOn);
    }

    [Fact]
    public void A_soft_deleted_name_fails_by_default_and_is_purged_then_restored_with_Purge()
    {
        _source.Add(KvObjectType.Certificate, "tls", versions: 2);
        var items = Backup();
        _target.Add(KvObjectType.Certificate, "tls");
        _target.SoftDelete(KvObjectType.Certificate, "tls");

        Restore(items);
        var error = Assert.Single(_host.Errors);
        Assert.Equal(KvErrorIds.ObjectSoftDeleted, error.Exception.ErrorId);
        Assert.Contains("purge it", error.Exception.Message);
        EngineText.AssertNamesNoCommand([error.Exception.Message, .. Records.Select(r => r.Reason)]);
        Assert.Equal(0, _target.Count("purge"));

        Restore(items, new RestoreOptions { SoftDeletedPolicy = SoftDeletedObjectPolicy.Purge, StateWaitInitialDelay = TimeSpan.FromMilliseconds(10) });
        Assert.Equal(RestoreStatus.Restored, Records[1].Status);
        Assert.Equal(1, _target.Count("purge"));
        Assert.Equal(_source.Versions(KvObjectType.Certificate, "tls").Select(v => v.Version), _target.Versions(KvObjectType.Certificate, "tls").Select(v => v.Version));
        var purgeQuestion = Assert.Single(_host.ShouldProcessCalls);
        Assert.StartsWith("Purge the soft-deleted certificate", purgeQuestion.Action);
    }

    [Fact]
    public void A_name_being_deleted_is_waited_out()
    {
        _source.Add(KvObjectType.Secret, "busy");
        var items = Backup();
        var attempts = 0;
        _target.RestoreFailure = (_, _) => Interlocked.Increment(ref attempts) <= 3
            ? new KvException(KvErrorKind.Conflict, KvErrorIds.ObjectBeingDeleted, "being deleted") { Status = 409 }
            : null;

        Restore(items, new RestoreOptions { StateWaitInitialDelay = TimeSpan.FromMilliseconds(10) });
        Assert.Equal(RestoreStatus.Restored, Assert.Single(Records).Status);
        Assert.Equal(4, attempts);
        Assert.Single(_host.ShouldProcessCalls);
    }

    [Fact]
    public void A_name_that_stays_busy_fails_after_the_bounded_wait()
    {
        _source.Add(KvObjectType.Secret, "stuck");
        var items = Backup();
        _target.RestoreFailure = (_, _) => new KvException(KvErrorKind.Conflict, KvErrorIds.ObjectBeingRecovered, "being recovered") { Status = 409 };

        var watch = System.Diagnostics.Stopwatch.StartNew();
        Restore(items, new RestoreOptions { StateWaitInitialDelay = TimeSpan.FromMilliseconds(20), StateWaitTimeout = TimeSpan.FromMilliseconds(400) });
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3));
        Assert.Equal(RestoreStatus.Failed, Assert.Single(Records).Status);
        Assert.Contains("still being deleted, purged or recovered", Assert.Single(_host.Errors).Exception.Message);
        Assert.InRange(_target.Count("restore"), 2, 8);
    }

    [Fact]
    public void A_rejected_blob_fails_that_entry_once_with_the_service_reason()
    {
        _source.Add(KvObjectType.Key, "other-geo");
        _source.Add(KvObjectType.Key, "fine");
        var items = Backup();
        _target.RestoreFailure = (_, name) => name == "other-geo"
            ? new KvException(KvErrorKind.InvalidArgument, KvErrorIds.BackupRejected, "Backup blob cannot be restored into this geography.") { Status = 400 }
            : null;

        var summary = Restore(items);
        Assert.Equal((1, 1), (summary.Restored, summary.Failed));
        var error = Assert.Single(_host.Errors);
        Assert.Equal(KvErrorIds.BackupRejected, error.Exception.ErrorId);
        Assert.Contains("geography", Records.Single(r => r.Name == "other-geo").Reason);
        Assert.Equal(2, _target.Count("restore"));
    }

    [Fact]
    public void A_damaged_entry_is_never_sent()
    {
        _source.Add(KvObjectType.Secret, "damaged");
        _source.Add(KvObjectType.Secret, "intact");
        var items = Backup();
        var damaged = items.Single(i => i.Name == "damaged");
        var bytes = File.ReadAllBytes(ArchivePath);
        bytes[damaged.Row.BlobOffset!.Value + 30 + damaged.Entry!.Length + 5] ^= 1;
        File.WriteAllBytes(ArchivePath, bytes);

        // The archive fails its checks before the first write: nothing is restored, one error says why.
        using (var reader = ArchiveReader.Open(ArchivePath))
        {
            var refused = Assert.Throws<KvException>(() => Restore(reader.Items));
            Assert.Equal(KvErrorIds.ArchiveVerificationFailed, refused.ErrorId);
        }

        Assert.Equal(0, _target.Count("restore"));

        // Asked to restore what verifies: the damaged entry is left and reported, the other restored.
        using (var reader = ArchiveReader.Open(ArchivePath))
        {
            Restore(reader.Items, new RestoreOptions { SkipDamagedEntries = true });
        }

        var error = Assert.Single(_host.Errors);
        Assert.Equal(KvErrorIds.ArchiveEntryInvalid, error.Exception.ErrorId);
        Assert.Contains(_host.Warnings, w => w.Contains("1 damaged entry is left", StringComparison.Ordinal));
        Assert.Equal(RestoreStatus.Failed, Records.Single(r => r.Name == "damaged").Status);
        Assert.Equal(RestoreStatus.Restored, Records.Single(r => r.Name == "intact").Status);
        Assert.Equal(1, _target.Count("restore"));
        Assert.False(_target.Exists(KvObjectType.Secret, "damaged"));
    }

    [Fact]
    public void A_plan_is_written_in_input_order_with_its_errors_after_it_and_asks_nothing()
    {
        // Many entries and slow names, so the workers finish out of order; one name asked for is not in the archive.
        _target.Latency = TimeSpan.FromMilliseconds(3);
        for (var i = 0; i < 30; i++)
        {
            _source.Add(KvObjectType.Secret, $"s{i:D2}");
        }

        var items = Backup();
        _target.Add(KvObjectType.Secret, "s03");
        _target.Add(KvObjectType.Secret, "s20");
        _target.SoftDelete(KvObjectType.Secret, "s20");

        RestoreSummary summary;
        using (var session = RestoreSession.Start(_host, new RestoreOptions { PlanOnly = true, ThrottleLimit = 8 }, SessionClients.Borrow(_target)))
        {
            foreach (var item in items.Take(12))
            {
                session.Add(item);
            }

            session.Add(ArchivePath, KvObjectType.Secret, "not-in-the-archive");
            foreach (var item in items.Skip(12))
            {
                session.Add(item);
            }

            summary = session.Complete();
        }

        var order = items.Take(12).Select(i => i.Name).Append("not-in-the-archive").Concat(items.Skip(12).Select(i => i.Name));
        Assert.Empty(_host.ShouldProcessCalls);
        Assert.Equal(0, _target.Count("restore") + _target.Count("purge"));
        var kinds = _host.Calls.Where(c => c.Kind is "object" or "error").Select(c => c.Kind).ToList();
        Assert.Equal(Enumerable.Repeat("object", 31).Append("error"), kinds);
        Assert.Equal(order, Records.Select(r => r.Name));
        Assert.Equal(KvErrorIds.ObjectNotFound, Assert.Single(_host.Errors).Exception.ErrorId);
        Assert.Equal("would skip: exists", Records.Single(r => r.Name == "s03").Reason);
        Assert.Equal("would fail: soft-deleted", Records.Single(r => r.Name == "s20").Reason);
        Assert.Equal(RestoreStatus.Failed, Records.Single(r => r.Name == "not-in-the-archive").Status);
        Assert.All(Records.Where(r => r.Name is not ("s03" or "s20" or "not-in-the-archive")), r => Assert.Equal("would restore", r.Reason));
        Assert.Equal((30, 1, 1, true, false), (summary.Planned, summary.Failed, summary.Errors, summary.WhatIf, summary.IsComplete));
        Assert.Contains("28 would restore, 0 would purge and restore, 1 would skip, 1 would fail; 1 error;", summary.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Entries_without_a_blob_are_skipped_and_names_bind_by_path_type_and_name()
    {
        _source.Add(KvObjectType.Certificate, "web");
        _source.Add(KvObjectType.Secret, "web", managed: true);
        Backup();

        using (var session = RestoreSession.Start(_host, new RestoreOptions(), SessionClients.Borrow(_target)))
        {
            session.Add(ArchivePath, KvObjectType.Secret, "web");
            session.Add(ArchivePath, KvObjectType.Certificate, "WEB");
            session.Add(ArchivePath, KvObjectType.Key, "missing");
            session.Complete();
        }

        Assert.Equal([RestoreStatus.Skipped, RestoreStatus.Restored, RestoreStatus.Failed], Records.Select(r => r.Status));
        Assert.Contains("no backup", Records[0].Reason);
        Assert.Equal(KvErrorIds.ObjectNotFound, Assert.Single(_host.Errors).Exception.ErrorId);
    }

    [Fact]
    public void A_damaged_archive_fails_every_entry_added_from_it()
    {
        File.WriteAllText(ArchivePath, "not an archive");
        using (var session = RestoreSession.Start(_host, new RestoreOptions(), SessionClients.Borrow(_target)))
        {
            session.Add(ArchivePath, KvObjectType.Secret, "a");
            session.Add(ArchivePath, KvObjectType.Secret, "b");
            var e = Assert.Throws<KvException>(() => session.AddArchive(ArchivePath));
            Assert.Equal(KvErrorIds.ArchiveInvalid, e.ErrorId);
            session.Complete();
        }

        Assert.Equal(2, _host.Errors.Count);
        Assert.All(_host.Errors, e => Assert.Equal(KvErrorIds.ArchiveInvalid, e.Exception.ErrorId));
    }

    [Fact]
    public void Cancelling_a_restore_stops_quickly()
    {
        _source.Latency = TimeSpan.Zero;
        for (var i = 0; i < 150; i++)
        {
            _source.Add(KvObjectType.Secret, $"s{i:D3}");
        }

        Backup();
        _target.Latency = TimeSpan.FromMilliseconds(40);
        _host.CancelAfterRecords = 3;
        var session = RestoreSession.Start(_host, new RestoreOptions { ThrottleLimit = 4 }, SessionClients.Borrow(_target));
        var e = Assert.Throws<KvException>(() =>
        {
            session.AddArchive(ArchivePath);
            session.Complete();
        });
        var stopped = DateTime.UtcNow;
        session.Dispose();
        Assert.True(DateTime.UtcNow - stopped < TimeSpan.FromSeconds(2));
        Assert.Equal(KvErrorIds.Cancelled, e.ErrorId);
        Assert.InRange(_target.Count("restore"), 3, 40);
    }

    private List<ArchiveItem> LargeArchiveAndTarget()
    {
        for (var i = 0; i < 80; i++)
        {
            _source.Add(KvObjectType.Secret, $"s{i:D2}");
        }

        var items = Backup();
        _target.Add(KvObjectType.Secret, "S50");
        _target.Add(KvObjectType.Secret, "s60");
        _target.SoftDelete(KvObjectType.Secret, "s60");
        return items;
    }

    [Fact]
    public void A_large_restore_plans_from_two_listings_of_the_target_not_a_read_per_entry()
    {
        var items = LargeArchiveAndTarget();
        var summary = Restore(items, new RestoreOptions { ThrottleLimit = 8 });

        Assert.Equal((78, 1, 1), (summary.Restored, summary.Skipped, summary.Failed));
        var records = Records.ToDictionary(r => r.Name);
        Assert.Equal((RestoreStatus.Skipped, KvNameState.Exists), (records["s50"].Status, records["s50"].TargetState));
        Assert.Equal((RestoreStatus.Failed, KvNameState.SoftDeleted), (records["s60"].Status, records["s60"].TargetState));
        Assert.Equal(KvErrorIds.ObjectSoftDeleted, Assert.Single(_host.Errors).Exception.ErrorId);
        Assert.Equal((RestoreStatus.Restored, KvNameState.Free), (records["s79"].Status, records["s79"].TargetState));
        Assert.Equal(items.Select(i => i.Name), Records.Select(r => r.Name));

        // The first 24 entries read their names alone (two requests each); from the 25th on, one listing of the
        // live and one of the deleted names plan every entry. The listing runs while the first entries are being
        // restored, so it may find a full page of 25 names and fetch a second one (the fake counts pages).
        Assert.Equal(24, _target.Count("get"));
        Assert.Equal(24, _target.Count("getdeleted"));
        Assert.InRange(_target.Count("list"), 1, 2);
        Assert.Equal(1, _target.Count("listdeleted"));
        Assert.Equal(78, _target.Count("restore"));
    }

    [Fact]
    public void WhatIf_of_a_large_restore_prints_the_same_plan_from_the_listings()
    {
        var items = LargeArchiveAndTarget();
        _host.Answer = (_, _) => false;
        var summary = Restore(items, new RestoreOptions { SoftDeletedPolicy = SoftDeletedObjectPolicy.Purge });

        Assert.Equal((79, 1, 0), (summary.Planned, summary.Skipped, summary.Restored));
        var records = Records.ToDictionary(r => r.Name);
        Assert.Contains("Purge", records["s60"].Reason);
        Assert.Contains("soft-deleted", records["s60"].Reason);
        Assert.Contains("already exists", records["s50"].Reason);
        Assert.Contains("name is free", records["s79"].Reason);
        Assert.Contains("name is free", records["s01"].Reason);
        Assert.Equal(0, _target.Count("restore") + _target.Count("purge"));
        Assert.Equal(1, _target.Count("list"));
    }
}
