using System.IO.Compression;
using System.Text;
using KvArchive.Engine.Archive;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Archive;

[Trait("Category", "Unit")]
public sealed class ArchiveDamageTests : IDisposable
{
    private readonly string _folder = ArchiveTestData.NewFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Every_flipped_byte_is_caught()
    {
        var path = Path.Combine(_folder, "prod.kva");
        ArchiveTestData.WriteSample(path);
        var original = File.ReadAllBytes(path);
        var damaged = Path.Combine(_folder, "damaged.kva");
        var undetected = new List<int>();
        for (var i = 0; i < original.Length; i++)
        {
            var copy = (byte[])original.Clone();
            copy[i] ^= 0x20;
            File.WriteAllBytes(damaged, copy);
            var check = ArchiveReader.Verify(damaged);
            if (check.IsValid)
            {
                undetected.Add(i);
            }

            Assert.All(check.Errors, e => Assert.Equal(KvErrorKind.InvalidData, e.Exception.Kind));
        }

        Assert.Empty(undetected);
    }

    [Fact]
    public void A_flipped_byte_in_a_blob_names_that_entry_and_the_blob_is_never_handed_out()
    {
        var path = Path.Combine(_folder, "prod.kva");
        var blobs = ArchiveTestData.WriteSample(path);
        long offset;
        using (var reader = ArchiveReader.Open(path))
        {
            offset = reader.Items.Single(i => i.Name == "signing").Row.BlobOffset!.Value + 30 + "keys/signing.blob".Length + 100;
        }

        var bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 0xFF;
        File.WriteAllBytes(path, bytes);

        using (var reader = ArchiveReader.Open(path))
        {
            var signing = reader.Items.Single(i => i.Name == "signing");
            var e = Assert.Throws<KvException>(() => reader.ReadBlob(signing));
            Assert.Equal(KvErrorIds.ArchiveEntryInvalid, e.ErrorId);
            Assert.Equal(KvErrorKind.InvalidData, e.Kind);
            Assert.Contains("signing", e.Message);
            Assert.Equal(blobs["db-password"], reader.ReadBlob(reader.Items.Single(i => i.Name == "db-password")));

            var check = reader.Verify();
            Assert.False(check.IsValid);
            var entryError = Assert.Single(check.Errors, x => x.Exception.ErrorId == KvErrorIds.ArchiveEntryInvalid);
            Assert.Same(signing, entryError.Target);
            Assert.Contains(check.Errors, x => x.Exception.ErrorId == KvErrorIds.ArchiveInvalid);
            Assert.Equal(2, check.VerifiedCount);
        }
    }

    [Fact]
    public void Every_truncation_is_refused_with_a_clear_error()
    {
        var path = Path.Combine(_folder, "prod.kva");
        ArchiveTestData.WriteSample(path);
        var original = File.ReadAllBytes(path);
        var cut = Path.Combine(_folder, "cut.kva");
        for (var length = 0; length < original.Length; length += length < 64 || length > original.Length - 600 ? 1 : 37)
        {
            File.WriteAllBytes(cut, original[..length]);
            var e = Assert.Throws<KvException>(() => ArchiveReader.Open(cut).Dispose());
            Assert.Equal(KvErrorIds.ArchiveInvalid, e.ErrorId);
            Assert.Equal(KvErrorKind.InvalidData, e.Kind);
            Assert.Contains(Path.GetFullPath(cut), e.Message);
            Assert.False(ArchiveReader.Verify(cut).IsValid);
        }
    }

    [Fact]
    public void A_newer_major_version_is_refused_even_when_truncated()
    {
        var path = Path.Combine(_folder, "v2.kva");
        ArchiveTestData.WriteSample(path, formatVersion: "2.0");
        var e = Assert.Throws<KvException>(() => ArchiveReader.Open(path).Dispose());
        Assert.Equal(KvErrorIds.ArchiveVersionUnsupported, e.ErrorId);
        Assert.Equal(KvErrorKind.InvalidData, e.Kind);
        Assert.Contains("2.0", e.Message);
        Assert.Contains("newer", e.Message);

        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        e = Assert.Throws<KvException>(() => ArchiveReader.Open(path).Dispose());
        Assert.Equal(KvErrorIds.ArchiveVersionUnsupported, e.ErrorId);
        Assert.Equal(KvErrorIds.ArchiveVersionUnsupported, Assert.Single(ArchiveReader.Verify(path).Errors).Exception.ErrorId);
    }

    [Theory]
    [InlineData("one")]
    [InlineData("1")]
    [InlineData("1.x")]
    public void A_malformed_format_version_is_refused(string version)
    {
        var path = Path.Combine(_folder, "odd.kva");
        ArchiveTestData.WriteSample(path, formatVersion: version);
        var e = Assert.Throws<KvException>(() => ArchiveReader.Open(path).Dispose());
        Assert.Equal(KvErrorIds.ArchiveInvalid, e.ErrorId);
        Assert.Contains(version, e.Message);
    }

    [Theory]
    [InlineData("not a zip at all")]
    [InlineData("")]
    public void A_file_that_is_not_an_archive_is_refused(string content)
    {
        var path = Path.Combine(_folder, "text.kva");
        File.WriteAllText(path, content);
        var e = Assert.Throws<KvException>(() => ArchiveReader.Open(path).Dispose());
        Assert.Equal(KvErrorIds.ArchiveInvalid, e.ErrorId);
    }

    [Fact]
    public void A_plain_zip_is_refused()
    {
        var path = Path.Combine(_folder, "plain.zip");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using var s = zip.CreateEntry("hello.txt").Open();
            s.Write(Encoding.UTF8.GetBytes("hello"));
        }

        var e = Assert.Throws<KvException>(() => ArchiveReader.Open(path).Dispose());
        Assert.Equal(KvErrorIds.ArchiveInvalid, e.ErrorId);
        Assert.Contains("not a KvArchive archive", e.Message);
    }

    [Fact]
    public void A_missing_file_is_not_found()
    {
        var e = Assert.Throws<KvException>(() => ArchiveReader.Open(Path.Combine(_folder, "nope.kva")));
        Assert.Equal(KvErrorIds.ArchiveNotFound, e.ErrorId);
        Assert.Equal(KvErrorKind.NotFound, e.Kind);
    }
}
