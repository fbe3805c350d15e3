using Azure.Storage.Blobs.Specialized;
using KvArchive.Engine.Archive;
using KvArchive.Engine.Storage;
using KvArchive.Engine.Tests.Archive;
using KvArchive.Engine.Tests.Hosting;
using KvArchive.Engine.Tests.Transfer;
using KvArchive.Engine.Tests.Vault.Infrastructure;
using KvArchive.Engine.Transfer;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Storage;

/// <summary>Archives in Azure Blob Storage, against Azurite (through a proxy that counts and drops) and LocalVault.</summary>
public sealed class BlobArchiveTests(VaultFixture vaults, AzuriteFixture storage) : IClassFixture<VaultFixture>, IClassFixture<AzuriteFixture>
{
    private static readonly KvObjectType[] SecretsAndKeys = [KvObjectType.Secret, KvObjectType.Key];

    [Fact]
    public async Task A_vault_backed_up_to_a_blob_verifies_and_restores_into_another_vault()
    {
        var source = await vaults.NewVaultAsync(prefix: "src");
        await vaults.Server.SeedAsync(source, new { secrets = 120, keys = 20, versions = 2, prefix = "blob" });
        var before = await LocalVaultTransfer.SnapshotAsync(await vaults.ConnectAsync(source), SecretsAndKeys);
        var container = await storage.NewContainerAsync();
        var url = storage.Url(container, "prod.kva");
        var factory = await LocalVaultTransfer.FactoryAsync(vaults);

        var saved = await BackupAsync(new RecordingHost(), factory, url, source, AzuriteFixture.Options());
        Assert.True(saved.IsComplete);
        Assert.Equal(url, saved.Path);

        // Committed with its metadata; blocks of the block size, the last one shorter.
        var blob = storage.Direct.GetBlobContainerClient(container).GetBlockBlobClient("prod.kva");
        var properties = (await blob.GetPropertiesAsync()).Value;
        Assert.Equal("true", properties.Metadata["kvarchive_complete"]);
        Assert.Equal(saved.Saved.ToString(System.Globalization.CultureInfo.InvariantCulture), properties.Metadata["kvarchive_saved"]);
        Assert.Equal(vaults.Server.VaultUri(source).AbsoluteUri, properties.Metadata["kvarchive_vaults"]);
        Assert.Equal(ArchiveFormat.Version, properties.Metadata["kvarchive_formatversion"]);
        var blocks = (await blob.GetBlockListAsync()).Value.CommittedBlocks.ToList();
        Assert.True(blocks.Count > 3, $"{blocks.Count} blocks");
        Assert.All(blocks.SkipLast(1), b => Assert.Equal(64 * 1024, b.SizeLong));

        var check = ArchiveReader.Verify(url, AzuriteFixture.Options());
        Assert.True(check.IsValid, string.Join("\n", check.Errors.Select(e => e.Exception.Message)));
        Assert.Equal(saved.Saved, check.VerifiedCount);

        var target = await vaults.NewVaultAsync(prefix: "dst");
        using var restoreHost = new RecordingHost();
        var restored = await LocalVaultTransfer.OnOwnThread(() =>
        {
            using var session = RestoreSession.Start(restoreHost, new RestoreOptions { TargetVaultUri = vaults.Server.VaultUri(target), Storage = AzuriteFixture.Options() }, factory);
            session.AddArchive(url);
            return session.Complete();
        });
        Assert.Empty(restoreHost.Errors.Select(e => e.Exception.Message));
        Assert.Equal(saved.Saved, restored.Restored);
        Assert.Equal([url], restored.Paths);
        var after = await LocalVaultTransfer.SnapshotAsync(await vaults.ConnectAsync(target), SecretsAndKeys);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task An_interrupted_backup_leaves_no_blob_and_the_previous_blob_as_it_was()
    {
        var source = await vaults.NewVaultAsync(prefix: "src");
        await vaults.Server.SeedAsync(source, new { secrets = 60, versions = 1, prefix = "slow" });
        var container = await storage.NewContainerAsync();
        var factory = await LocalVaultTransfer.FactoryAsync(vaults);
        var existing = storage.Url(container, "kept.kva");
        await BackupAsync(new RecordingHost(), factory, existing, source, AzuriteFixture.Options(), force: true);
        var kept = storage.Direct.GetBlobContainerClient(container).GetBlockBlobClient("kept.kva");
        var etag = (await kept.GetPropertiesAsync()).Value.ETag;

        await vaults.Server.SetFaultsAsync(source, new { latencyMs = 100 });
        foreach (var url in new[] { existing, storage.Url(container, "new.kva") })
        {
            using var host = new RecordingHost { CancelAfterRecords = 30 };
            var e = await Assert.ThrowsAsync<KvException>(() => BackupAsync(host, factory, url, source, AzuriteFixture.Options(blockSize: 16 * 1024), force: true));
            Assert.Equal(KvErrorIds.Cancelled, e.ErrorId);
        }

        Assert.Equal(etag, (await kept.GetPropertiesAsync()).Value.ETag);
        Assert.True(ArchiveReader.Verify(existing, AzuriteFixture.Options()).IsValid);
        Assert.False((await storage.Direct.GetBlobContainerClient(container).GetBlobClient("new.kva").ExistsAsync()).Value);
        var names = new List<string>();
        await foreach (var item in storage.Direct.GetBlobContainerClient(container).GetBlobsAsync())
        {
            names.Add(item.Name);
        }

        Assert.Equal(["kept.kva"], names);
    }

    [Fact]
    public async Task An_existing_blob_is_refused_before_any_work_without_Force_and_replaced_with_it()
    {
        var container = await storage.NewContainerAsync();
        var url = storage.Url(container, "a.kva");
        WriteSample(url, overwrite: false);
        var first = (await Blob(container, "a.kva").GetPropertiesAsync()).Value.ETag;

        var e = Assert.Throws<KvException>(() => ArchiveWriter.Create(url, overwrite: false, DateTimeOffset.UtcNow, storage: AzuriteFixture.Options()));
        Assert.Equal(KvErrorIds.ArchiveExists, e.ErrorId);
        Assert.Contains(url, e.Message);

        WriteSample(url, overwrite: true);
        Assert.NotEqual(first, (await Blob(container, "a.kva").GetPropertiesAsync()).Value.ETag);
        Assert.True(ArchiveReader.Verify(url, AzuriteFixture.Options()).IsValid);
    }

    [Fact]
    public async Task A_blob_created_while_the_backup_ran_is_not_replaced()
    {
        var container = await storage.NewContainerAsync();
        var url = storage.Url(container, "raced.kva");
        using var writer = ArchiveWriter.Create(url, overwrite: false, DateTimeOffset.UtcNow, storage: AzuriteFixture.Options());
        writer.WriteEntry(ArchiveTestData.Saved(KvObjectType.Secret, "s1"), ArchiveTestData.Blob(1, 300_000));

        // Someone else writes the blob meanwhile.
        await Blob(container, "raced.kva").UploadAsync(new BinaryData("theirs").ToStream());
        var e = Assert.Throws<KvException>(() => writer.Commit(DateTimeOffset.UtcNow));
        Assert.Equal(KvErrorIds.ArchiveExists, e.ErrorId);
        Assert.Contains("created by someone else", e.Message);
        Assert.Equal("theirs", (await Blob(container, "raced.kva").DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public async Task A_connection_dropped_during_the_upload_is_retried_and_the_archive_is_whole()
    {
        var source = await vaults.NewVaultAsync(prefix: "src");
        await vaults.Server.SeedAsync(source, new { secrets = 150, versions = 1, prefix = "drop" });
        var container = await storage.NewContainerAsync();
        var url = storage.Url(container, "dropped.kva");
        var factory = await LocalVaultTransfer.FactoryAsync(vaults);
        var drops = storage.Proxy.Drops;

        // Well into the upload: past the existence checks and several blocks.
        storage.Proxy.DropOnceAfter(200_000);
        var saved = await BackupAsync(new RecordingHost(), factory, url, source, AzuriteFixture.Options(blockSize: 32 * 1024));
        Assert.Equal(drops + 1, storage.Proxy.Drops);
        Assert.Equal(150, saved.Saved);
        var check = ArchiveReader.Verify(url, AzuriteFixture.Options());
        Assert.True(check.IsValid, string.Join("\n", check.Errors.Select(x => x.Exception.Message)));
        Assert.Equal(150, check.VerifiedCount);
    }

    [Fact]
    public async Task Opening_and_listing_read_the_trailer_and_manifest_only_and_verify_downloads_the_blob_once()
    {
        var container = await storage.NewContainerAsync();
        var url = storage.Url(container, "large.kva");
        const int entries = 160;
        using (var writer = ArchiveWriter.Create(url, overwrite: false, DateTimeOffset.UtcNow, storage: AzuriteFixture.Options(blockSize: 1 << 20)))
        {
            for (var i = 0; i < entries; i++)
            {
                writer.WriteEntry(ArchiveTestData.Saved(KvObjectType.Secret, $"s{i}"), ArchiveTestData.Blob(i, 100_000));
            }

            writer.Commit(DateTimeOffset.UtcNow);
        }

        var length = (await Blob(container, "large.kva").GetPropertiesAsync()).Value.ContentLength;
        Assert.True(length > 16_000_000, $"{length} bytes");
        var options = AzuriteFixture.Options(chunkSize: 256 * 1024);

        // Open and list every item (Get-KvArchiveItem): the end of the file and the manifest, a few chunks.
        storage.Proxy.ResetCounters();
        using (var reader = ArchiveReader.Open(url, options))
        {
            Assert.Equal(entries, reader.Items.Count);
            Assert.Equal(entries, reader.Items.Select(i => i.Name).Distinct().Count());
            var listed = storage.Proxy.DownstreamBytes;
            Assert.True(listed < 4 * 256 * 1024, $"opening and listing read {listed:N0} of {length:N0} bytes");

            // One entry (a restore of one object): its chunk, not the archive.
            storage.Proxy.ResetCounters();
            Assert.Equal(ArchiveTestData.Blob(77, 100_000), reader.ReadBlob(reader.Items[77]));
            Assert.InRange(storage.Proxy.DownstreamBytes, 100_000, 3 * 256 * 1024);
        }

        // Verification reads everything, once.
        storage.Proxy.ResetCounters();
        var check = ArchiveReader.Verify(url, options);
        Assert.True(check.IsValid, string.Join("\n", check.Errors.Select(x => x.Exception.Message)));
        Assert.Equal(entries, check.VerifiedCount);
        Assert.InRange(storage.Proxy.DownstreamBytes, length, length + 2_000_000);
    }

    [Fact]
    public async Task A_missing_blob_or_container_is_named_in_the_error()
    {
        var container = await storage.NewContainerAsync();
        var missing = Assert.Throws<KvException>(() => ArchiveReader.Open(storage.Url(container, "none.kva"), AzuriteFixture.Options()));
        Assert.Equal(KvErrorIds.ArchiveNotFound, missing.ErrorId);
        Assert.Contains("none.kva", missing.Message);

        var noContainer = Assert.Throws<KvException>(() => ArchiveWriter.Create(storage.Url("nosuchcontainer", "x.kva"), overwrite: false, DateTimeOffset.UtcNow, storage: AzuriteFixture.Options()));
        Assert.Equal(KvErrorIds.ArchiveWriteFailed, noContainer.ErrorId);
        Assert.Contains("'nosuchcontainer'", noContainer.Message);
        await Task.CompletedTask;
    }

    [Fact]
    public void A_SAS_signature_never_appears_in_a_path_or_message()
    {
        var address = BlobArchiveAddress.Parse("https://acct.blob.core.windows.net/backups/prod.kva?sv=2024-01-01&sp=rcw&sig=SECRETSIG%3D");
        Assert.True(address.HasSas);
        Assert.Equal("https://acct.blob.core.windows.net/backups/prod.kva", address.DisplayPath);
        Assert.Equal("acct", address.AccountName);
        Assert.Equal("backups", address.ContainerName);
        Assert.Equal("prod.kva", address.BlobName);
        var bad = Assert.Throws<KvException>(() => BlobArchiveAddress.Parse("https://acct.blob.core.windows.net/backups?sig=SECRETSIG"));
        Assert.DoesNotContain("SECRETSIG", bad.Message);
        var azurite = BlobArchiveAddress.Parse("http://127.0.0.1:10000/devstoreaccount1/c/dir/x.kva");
        Assert.Equal(("devstoreaccount1", "c", "dir/x.kva"), (azurite.AccountName, azurite.ContainerName, azurite.BlobName));
    }

    [Fact]
    public async Task A_container_listing_shows_each_archive_with_its_metadata()
    {
        var container = await storage.NewContainerAsync();
        WriteSample(storage.Url(container, "prod-1.kva"), overwrite: false);
        WriteSample(storage.Url(container, "dr/prod-2.kva"), overwrite: false);
        var direct = storage.Direct.GetBlobContainerClient(container);
        await direct.GetBlobClient("notes.txt").UploadAsync(new BinaryData("not an archive"));
        await direct.GetBlobClient("foreign.kva").UploadAsync(new BinaryData("uploaded by hand"));

        var listed = ArchiveContainer.List(storage.Url(container, string.Empty).TrimEnd('/'), AzuriteFixture.Options()).ToList();
        Assert.Equal(["dr/prod-2.kva", "foreign.kva", "prod-1.kva"], listed.Select(a => a.Name));
        var prod = listed.Single(a => a.Name == "prod-1.kva");
        Assert.True(prod.HasMetadata);
        Assert.True(prod.IsComplete);
        Assert.Equal(1, prod.SavedCount);
        Assert.Equal(0, prod.NotSavedCount);
        Assert.Equal(ArchiveFormat.Version, prod.FormatVersion);
        Assert.Equal([ArchiveTestData.Vault], prod.SourceVaults);
        Assert.NotNull(prod.CompletedOn);
        Assert.Equal(storage.Url(container, "prod-1.kva"), prod.Path);
        var foreign = listed.Single(a => a.Name == "foreign.kva");
        Assert.False(foreign.HasMetadata);
        Assert.Null(foreign.IsComplete);

        // Each listed path opens as an archive; the prefix narrows the listing.
        using (var reader = ArchiveReader.Open(listed[0].Path, AzuriteFixture.Options()))
        {
            Assert.Single(reader.Items);
        }

        Assert.Equal(["dr/prod-2.kva"], ArchiveContainer.List(storage.Url(container, string.Empty).TrimEnd('/'), AzuriteFixture.Options(), prefix: "dr/").Select(a => a.Name));
        var bad = Assert.Throws<KvException>(() => ArchiveContainer.List(storage.Url(container, "prod-1.kva"), AzuriteFixture.Options()));
        Assert.Equal(KvErrorIds.ArchivePathInvalid, bad.ErrorId);
        var none = Assert.Throws<KvException>(() => ArchiveContainer.List(storage.Url("nosuchcontainer", string.Empty).TrimEnd('/'), AzuriteFixture.Options()).ToList());
        Assert.Equal(KvErrorIds.ArchiveNotFound, none.ErrorId);
    }

    [Fact]
    public async Task A_SAS_URL_writes_and_reads_with_no_other_sign_in_and_its_signature_is_never_shown()
    {
        var container = await storage.NewContainerAsync();
        var sas = new Azure.Storage.Sas.BlobSasBuilder(Azure.Storage.Sas.BlobContainerSasPermissions.All, DateTimeOffset.UtcNow.AddHours(1)) { BlobContainerName = container }
            .ToSasQueryParameters(new Azure.Storage.StorageSharedKeyCredential(TestSupport.AzuriteServer.Account, TestSupport.AzuriteServer.Key)).ToString();
        Assert.Contains("sig=", sas);
        var url = $"{storage.Url(container, "sas.kva")}?{sas}";
        var signature = System.Web.HttpUtility.ParseQueryString(sas)["sig"]!;

        using (var writer = ArchiveWriter.Create(url, overwrite: false, DateTimeOffset.UtcNow, storage: AzuriteFixture.Options()))
        {
            Assert.Equal(storage.Url(container, "sas.kva"), writer.Path);
            writer.WriteEntry(ArchiveTestData.Saved(KvObjectType.Secret, "one"), ArchiveTestData.Blob(3, 5000));
            writer.Commit(DateTimeOffset.UtcNow);
        }

        using (var reader = ArchiveReader.Open(url, AzuriteFixture.Options()))
        {
            Assert.Equal(storage.Url(container, "sas.kva"), reader.Path);
            Assert.All(reader.Items, i => Assert.DoesNotContain("sig=", i.Path));
            Assert.Equal(ArchiveTestData.Blob(3, 5000), reader.ReadBlob(reader.Items[0]));
        }

        Assert.True(ArchiveReader.Verify(url, AzuriteFixture.Options()).IsValid);
        var exists = Assert.Throws<KvException>(() => ArchiveWriter.Create(url, overwrite: false, DateTimeOffset.UtcNow, storage: AzuriteFixture.Options()));
        Assert.Equal(KvErrorIds.ArchiveExists, exists.ErrorId);
        Assert.DoesNotContain(signature, exists.Message);
        var missing = Assert.Throws<KvException>(() => ArchiveReader.Open($"{storage.Url(container, "none.kva")}?{sas}", AzuriteFixture.Options()));
        Assert.DoesNotContain(signature, missing.ToString());
    }

    [Fact]
    public void An_immutability_policy_or_a_lost_race_is_a_clear_error_that_names_the_blob()
    {
        const string blob = "https://acct.blob.core.windows.net/locked/prod.kva";
        var immutable = BlobClients.Map(new Azure.RequestFailedException(409, "This operation is not permitted as the blob is immutable due to a policy.", "BlobImmutableDueToPolicy", null), blob, "committing");
        Assert.Equal(KvErrorIds.ArchiveExists, immutable.ErrorId);
        Assert.Contains(blob, immutable.Message);
        Assert.Contains("immutability policy", immutable.Message);
        Assert.Contains("new blob name", immutable.Message);

        var refused = BlobClients.Map(new Azure.RequestFailedException(403, "denied", "AuthorizationPermissionMismatch", null), blob, "committing");
        Assert.Equal(KvErrorIds.PermissionDenied, refused.ErrorId);
        Assert.Contains("Storage Blob Data Contributor", refused.Message);
    }

    private BlockBlobClient Blob(string container, string name) => storage.Direct.GetBlobContainerClient(container).GetBlockBlobClient(name);

    private static void WriteSample(string url, bool overwrite)
    {
        using var writer = ArchiveWriter.Create(url, overwrite, DateTimeOffset.UtcNow, storage: AzuriteFixture.Options());
        writer.WriteEntry(ArchiveTestData.Saved(KvObjectType.Secret, "one"), ArchiveTestData.Blob(1, 1000));
        writer.Commit(DateTimeOffset.UtcNow);
    }

    private Task<BackupSummary> BackupAsync(RecordingHost host, Func<Uri, IRequestObserver, IVaultClient> factory, string url, string vault, ArchiveStorageOptions options, bool force = false)
        => LocalVaultTransfer.OnOwnThread(() =>
        {
            using var session = BackupSession.Start(host, new BackupOptions { Path = url, Force = force, ThrottleLimit = 8, VaultUri = vaults.Server.VaultUri(vault), Storage = options }, factory);
            session.AddVault(types: SecretsAndKeys);
            return session.Complete();
        });
}
