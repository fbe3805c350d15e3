using KvArchive.Engine.Archive;
using Xunit.Abstractions;

namespace KvArchive.Engine.Tests.Archive;

/// <summary>Each kind of damage issue 11 lists, at many places: every one is caught by the checks a restore runs first.</summary>
[Trait("Category", "Unit")]
public sealed class ArchiveCorruptionTests(ITestOutputHelper log) : IDisposable
{
    private const int Trials = 40;

    private readonly string _folder = ArchiveTestData.NewFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("central-directory-byte")]
    [InlineData("appended-entry")]
    [InlineData("removed-directory-record")]
    [InlineData("bad-whole-file-checksum")]
    public void Every_damage_of_a_kind_is_detected(string kind)
    {
        var good = Path.Combine(_folder, "good.kva");
        ArchiveTestData.WriteSample(good);
        var damaged = Path.Combine(_folder, "damaged.kva");
        var detected = 0;
        for (var seed = 0; seed < Trials; seed++)
        {
            File.Copy(good, damaged, overwrite: true);
            ArchiveCorruption.Apply(damaged, kind, seed);
            var check = ArchiveReader.Verify(damaged);
            if (!check.IsValid)
            {
                detected++;
            }
        }

        log.WriteLine($"{kind}: {detected} of {Trials} detected (archive of {new FileInfo(good).Length} bytes)");
        Assert.Equal(Trials, detected);
    }
}
