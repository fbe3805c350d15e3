using KvArchive.Engine.Archive;
using KvArchive.Engine.Tests.Hosting;
using KvArchive.Engine.Tests.Vault.Infrastructure;
using KvArchive.Engine.Transfer;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Transfer;

/// <summary>Exported backup files restored by the service's own restore API, and backup files restored or imported as archives.</summary>
[Trait("Category", "LocalVault")]
public sealed class RawBackupLocalVaultTests(VaultFixture fixture) : LocalVaultTransferTest(fixture)
{
    private async Task<(string Vault, IVaultClient Client, SortedDictionary<string, string> Snapshot, string Archive)> BackedUpVaultAsync()
    {
        var vault = await Fixture.NewVaultAsync(prefix: "raw");
        await Fixture.Server.SeedAsync(vault, new { secrets = 3, keys = 2, certificates = 2, versions = 2, prefix = "raw" });
        var client = await Fixture.ConnectAsync(vault);
        var snapshot = await LocalVaultTransfer.SnapshotAsync(client, AllKinds);
        var archive = Path.Combine(Folder, "vault.kva");
        using var host = new RecordingHost();
        var summary = await LocalVaultTransfer.BackupAsync(host, await LocalVaultTransfer.FactoryAsync(Fixture), archive, Fixture.Server.VaultUri(vault), AllKinds);
        Assert.Equal(0, summary.Failed);
        return (vault, client, snapshot, archive);
    }

    [Fact]
    public async Task An_exported_entry_is_a_file_the_service_restore_api_takes_back()
    {
        var (_, client, before, archive) = await BackedUpVaultAsync();
        var exported = new List<(ArchiveItem Item, string File)>();
        using (var reader = ArchiveReader.Open(archive))
        {
            foreach (var item in reader.Items.Where(i => i.HasBlob))
            {
                exported.Add((item, ArchiveExport.Write(reader, item, ArchiveExport.TargetPath(item, Path.Combine(Folder, "out")), overwrite: false)));
            }
        }

        Assert.Equal(7, exported.Count);
        foreach (var (item, _) in exported)
        {
            await client.DeleteAsync(item.Type, item.Name, default);
            await client.PurgeAsync(item.Type, item.Name, default);
        }

        Assert.Empty(await LocalVaultTransfer.SnapshotAsync(client, AllKinds));

        // What az keyvault … restore --file does: POST the file's bytes to the restore API of the kind.
        foreach (var (item, file) in exported)
        {
            var restored = await client.RestoreAsync(item.Type, File.ReadAllBytes(file), default);
            Assert.Equal(item.Name, restored.Name);
        }

        Assert.Equal(before, await LocalVaultTransfer.SnapshotAsync(client, AllKinds));
    }

    [Fact]
    public async Task Backup_files_restore_directly_and_through_an_imported_archive()
    {
        var (_, _, before, archive) = await BackedUpVaultAsync();
        var outFolder = Path.Combine(Folder, "files");
        var files = new List<string>();
        using (var reader = ArchiveReader.Open(archive))
        {
            foreach (var item in reader.Items.Where(i => i.HasBlob))
            {
                files.Add(ArchiveExport.Write(reader, item, ArchiveExport.TargetPath(item, outFolder), overwrite: false));
            }
        }

        // Restored straight from the files: each one a one-entry archive (kind from its header and folder, name from its file name).
        var direct = await Fixture.NewVaultAsync(prefix: "direct");
        var factory = await LocalVaultTransfer.FactoryAsync(Fixture);
        using (var host = new RecordingHost())
        {
            var summary = await LocalVaultTransfer.OnOwnThread(() =>
            {
                using var session = RestoreSession.Start(host, new RestoreOptions { TargetVaultUri = Fixture.Server.VaultUri(direct) }, factory);
                foreach (var file in files)
                {
                    session.AddArchive(file);
                }

                return session.Complete();
            });
            Assert.Empty(host.Errors.Select(e => e.Exception.Message));
            Assert.Equal(7, summary.Restored);
        }

        Assert.Equal(before, await LocalVaultTransfer.SnapshotAsync(await Fixture.ConnectAsync(direct), AllKinds));

        // Imported into one archive, then restored as any archive is.
        var imported = Path.Combine(Folder, "imported.kva");
        using (var import = ArchiveImport.Create(imported, overwrite: false, DateTimeOffset.UtcNow))
        {
            foreach (var file in files)
            {
                import.Add(RawBackupFile.Read(file));
            }

            import.Commit(DateTimeOffset.UtcNow);
        }

        Assert.Empty(ArchiveReader.Verify(imported).Errors);
        var viaArchive = await Fixture.NewVaultAsync(prefix: "import");
        using (var host = new RecordingHost())
        {
            var summary = await LocalVaultTransfer.RestoreAsync(host, factory, imported, new RestoreOptions { TargetVaultUri = Fixture.Server.VaultUri(viaArchive) });
            Assert.Equal(7, summary.Restored);
        }

        Assert.Equal(before, await LocalVaultTransfer.SnapshotAsync(await Fixture.ConnectAsync(viaArchive), AllKinds));
    }

    [Fact]
    public async Task A_certificate_file_taken_for_a_key_fails_alone_and_restores_when_named_a_certificate()
    {
        var (_, _, _, archive) = await BackedUpVaultAsync();
        string file;
        using (var reader = ArchiveReader.Open(archive))
        {
            var certificate = reader.Items.First(i => i.Type == KvObjectType.Certificate && i.HasBlob);
            file = ArchiveExport.Write(reader, certificate, Path.Combine(Folder, "loose", certificate.Name + ".blob"), overwrite: false);
        }

        var target = await Fixture.NewVaultAsync(prefix: "guess");
        var factory = await LocalVaultTransfer.FactoryAsync(Fixture);
        using var host = new RecordingHost();
        var summary = await LocalVaultTransfer.OnOwnThread(() =>
        {
            using var session = RestoreSession.Start(host, new RestoreOptions { TargetVaultUri = Fixture.Server.VaultUri(target) }, factory);
            session.AddArchive(file);
            session.AddArchive(file, type: KvObjectType.Certificate);
            return session.Complete();
        });

        // Taken for a key (its header cannot tell), the service refuses it; named a certificate, it restores.
        Assert.Equal((1, 1), (summary.Failed, summary.Restored));
        var error = Assert.Single(host.Errors);
        Assert.Equal(KvErrorIds.BackupRejected, error.Exception.ErrorId);
        Assert.Equal([KvObjectType.Key, KvObjectType.Certificate], host.Records.Cast<RestoreRecord>().Select(r => r.Type));
    }
}
