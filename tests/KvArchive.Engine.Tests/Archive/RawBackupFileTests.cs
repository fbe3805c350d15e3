using System.Text;
using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Archive;

/// <summary>Backup files as az CLI, Az PowerShell and the portal write them: recognised, imported, exported.</summary>
[Trait("Category", "Unit")]
public sealed class RawBackupFileTests : IDisposable
{
    private readonly string _folder = ArchiveTestData.NewFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string relative, byte[] bytes)
    {
        var path = Path.Combine(_folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void The_service_own_blobs_are_recognised_by_their_header()
    {
        var secret = RawBackupFile.Read(Write("db-password.blob", RecordedBackups.Secret));
        Assert.Equal((KvObjectType.Secret, "db-password", false), (secret.Type, secret.Name, secret.TypeGuessed));

        // A key's and a certificate's blobs carry the same header: a key unless something says otherwise.
        var key = RawBackupFile.Read(Write("signing.blob", RecordedBackups.Key));
        Assert.Equal((KvObjectType.Key, "signing", true), (key.Type, key.Name, key.TypeGuessed));
        var certificate = RawBackupFile.Read(Write("web.blob", RecordedBackups.Certificate), KvObjectType.Certificate);
        Assert.Equal((KvObjectType.Certificate, false), (certificate.Type, certificate.TypeGuessed));
        var inFolder = RawBackupFile.Read(Write("certificates/web-tls.blob", RecordedBackups.Certificate));
        Assert.Equal((KvObjectType.Certificate, "web-tls", false), (inFolder.Type, inFolder.Name, inFolder.TypeGuessed));
        var byExtension = RawBackupFile.Read(Write("api.cert", RecordedBackups.Certificate));
        Assert.Equal((KvObjectType.Certificate, "api"), (byExtension.Type, byExtension.Name));
        Assert.Equal(RecordedBackups.Certificate.Length, inFolder.Size);
    }

    [Fact]
    public void A_kind_the_header_rules_out_is_refused()
    {
        var e = Assert.Throws<KvException>(() => RawBackupFile.Read(Write("a.blob", RecordedBackups.Secret), KvObjectType.Key));
        Assert.Equal(KvErrorIds.BackupFileKindMismatch, e.ErrorId);
        Assert.Contains("secret", e.Message);
        e = Assert.Throws<KvException>(() => RawBackupFile.Read(Write("b.blob", RecordedBackups.Key), KvObjectType.Secret));
        Assert.Equal(KvErrorIds.BackupFileKindMismatch, e.ErrorId);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("random")]
    [InlineData("empty")]
    [InlineData("truncated-header")]
    public void A_file_that_is_no_backup_is_refused(string content)
    {
        var bytes = content switch
        {
            "text" => Encoding.UTF8.GetBytes("This is not a backup of anything, just a note someone saved with the wrong name."),
            "random" => ArchiveTestData.Blob(7, 4096),
            "empty" => [],
            _ => RecordedBackups.Secret[..20],
        };
        var path = Write("x.blob", bytes);
        var e = Assert.Throws<KvException>(() => RawBackupFile.Read(path));
        Assert.Equal(KvErrorIds.BackupFileUnrecognized, e.ErrorId);
        Assert.False(RawBackupFile.LooksLikeBackup(path));
    }

    [Fact]
    public void The_blob_saved_as_base64url_text_is_read_as_its_bytes()
    {
        var text = Convert.ToBase64String(RecordedBackups.Secret).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var path = Write("saved-value.txt", Encoding.ASCII.GetBytes(text + "\n"));
        Assert.True(RawBackupFile.LooksLikeBackup(path));
        var file = RawBackupFile.Read(path);
        Assert.Equal(KvObjectType.Secret, file.Type);
        Assert.Equal(RecordedBackups.Secret, file.Blob);
    }

    [Theory]
    [InlineData("db-password.blob", null, "db-password")]
    [InlineData("db-password", null, "db-password")]
    [InlineData("prod-web-1527029447.01191", null, "prod-web")]
    [InlineData("anything.bin", "given-name", "given-name")]
    public void The_name_comes_from_the_file_name_or_is_given(string fileName, string? name, string expected)
        => Assert.Equal(expected, RawBackupFile.Read(Write(fileName, RecordedBackups.Secret), name: name).Name);

    [Theory]
    [InlineData("my secret.blob", null)]
    [InlineData("db.password.blob", null)]
    [InlineData("ok.blob", "not_valid")]
    public void A_name_that_is_no_key_vault_name_is_refused(string fileName, string? name)
    {
        var e = Assert.Throws<KvException>(() => RawBackupFile.Read(Write(fileName, RecordedBackups.Secret), name: name));
        Assert.Equal(KvErrorIds.BackupFileNameInvalid, e.ErrorId);
    }

    [Fact]
    public void A_missing_file_is_not_found()
        => Assert.Equal(KvErrorIds.ArchiveNotFound, Assert.Throws<KvException>(() => RawBackupFile.Read(Path.Combine(_folder, "none.blob"))).ErrorId);

    [Fact]
    public void Imported_files_make_an_archive_that_verifies_and_exports_back_to_the_same_bytes()
    {
        var archive = Path.Combine(_folder, "imported.kva");
        var files = new[]
        {
            RawBackupFile.Read(Write("in/db-password.blob", RecordedBackups.Secret)),
            RawBackupFile.Read(Write("in/signing.blob", RecordedBackups.Key)),
            RawBackupFile.Read(Write("in/certificates/web-tls.blob", RecordedBackups.Certificate)),
        };
        using (var import = ArchiveImport.Create(archive, overwrite: false, DateTimeOffset.UtcNow))
        {
            foreach (var file in files)
            {
                import.Add(file);
            }

            var duplicate = Assert.Throws<KvException>(() => import.Add(RawBackupFile.Read(Write("in/DB-PASSWORD.blob", RecordedBackups.Secret))));
            Assert.Equal(KvErrorIds.ArchiveItemDuplicate, duplicate.ErrorId);
            Assert.False(File.Exists(archive));
            import.Commit(DateTimeOffset.UtcNow);
        }

        var verification = ArchiveReader.Verify(archive);
        Assert.Empty(verification.Errors);
        Assert.Equal(3, verification.VerifiedCount);
        using var reader = ArchiveReader.Open(archive);
        Assert.Equal(
            [(KvObjectType.Secret, "db-password"), (KvObjectType.Key, "signing"), (KvObjectType.Certificate, "web-tls")],
            reader.Items.Select(i => (i.Type, i.Name)));
        Assert.All(reader.Items, i => Assert.Equal((ArchiveEntryStatus.Saved, (Uri?)null), (i.Status, i.SourceVaultUri)));

        var outFolder = Path.Combine(_folder, "out");
        foreach (var (item, file) in reader.Items.Zip(files))
        {
            var target = ArchiveExport.TargetPath(item, outFolder);
            Assert.Equal(Path.Combine(outFolder, item.Entry!.Replace('/', Path.DirectorySeparatorChar)), target);
            Assert.Equal(target, ArchiveExport.Write(reader, item, target, overwrite: false));
            Assert.Equal(file.Blob, File.ReadAllBytes(target));

            // Read back, the exported file is the same object again.
            var again = RawBackupFile.Read(target);
            Assert.Equal((item.Type, item.Name), (again.Type, again.Name));
        }

        var exists = Assert.Throws<KvException>(() => ArchiveExport.Write(reader, reader.Items[0], ArchiveExport.TargetPath(reader.Items[0], outFolder), overwrite: false));
        Assert.Equal(KvErrorIds.ExportFileExists, exists.ErrorId);
        Assert.Single(Directory.GetFiles(Path.Combine(outFolder, "secrets")));
    }

    [Fact]
    public void An_import_not_committed_leaves_nothing_behind()
    {
        var archive = Path.Combine(_folder, "abandoned.kva");
        using (var import = ArchiveImport.Create(archive, overwrite: false, DateTimeOffset.UtcNow))
        {
            import.Add(RawBackupFile.Read(Write("a.blob", RecordedBackups.Secret)));
        }

        Assert.False(File.Exists(archive));
        Assert.Empty(Directory.GetFiles(_folder, "*.partial*"));
    }
}
