using KvArchive.Engine.Archive;
using KvArchive.Engine.Tests.Archive;
using KvArchive.Engine.Tests.Hosting;
using KvArchive.Engine.Tests.Vault.Infrastructure;
using KvArchive.Engine.Transfer;
using KvArchive.Engine.Vault;
using Xunit.Abstractions;

namespace KvArchive.Engine.Tests.Transfer;

/// <summary>Restore verifies the whole archive before the first write, against a real LocalVault over HTTPS.</summary>
[Trait("Category", "LocalVault")]
public sealed class RestoreVerifiesFirstTests(VaultFixture fixture, ITestOutputHelper log) : LocalVaultTransferTest(fixture)
{
    [Fact]
    public async Task A_damaged_archive_restores_nothing_unless_asked_and_then_only_what_verifies()
    {
        var source = await Fixture.NewVaultAsync(prefix: "src");
        await Fixture.Server.SeedAsync(source, new { secrets = 6, keys = 0, certificates = 0, versions = 1, prefix = "seed" });
        var factory = await LocalVaultTransfer.FactoryAsync(Fixture);
        var good = Path.Combine(Folder, "good.kva");
        using (var host = new RecordingHost())
        {
            Assert.Equal(6, (await LocalVaultTransfer.BackupAsync(host, factory, good, Fixture.Server.VaultUri(source), [KvObjectType.Secret])).Saved);
        }

        for (var k = 0; k < ArchiveCorruption.Kinds.Length; k++)
        {
            var kind = ArchiveCorruption.Kinds[k];
            var damaged = Path.Combine(Folder, $"{kind}.kva");
            File.Copy(good, damaged);
            ArchiveCorruption.Apply(damaged, kind, seed: k);
            Assert.False(ArchiveReader.Verify(damaged).IsValid, kind);

            // Refused as a whole: not one write reaches the vault.
            var target = await Fixture.NewVaultAsync(prefix: "dst");
            var targetUri = Fixture.Server.VaultUri(target);
            using (var host = new RecordingHost())
            {
                var e = await Assert.ThrowsAsync<KvException>(() => LocalVaultTransfer.OnOwnThread(() =>
                {
                    using var session = RestoreSession.Start(host, new RestoreOptions { TargetVaultUri = targetUri }, factory);
                    session.AddArchive(damaged);
                    return session.Complete();
                }));
                Assert.Equal(KvErrorIds.ArchiveVerificationFailed, e.ErrorId);
                Assert.Equal(KvErrorKind.InvalidData, e.Kind);
                Assert.Empty(await LocalVaultTransfer.SnapshotAsync(await Fixture.ConnectAsync(target), [KvObjectType.Secret]));
            }

            // Asked for: the entries that verify are restored, the damaged ones are reported and left.
            using (var host = new RecordingHost())
            {
                var summary = await LocalVaultTransfer.OnOwnThread(() =>
                {
                    using var session = RestoreSession.Start(host, new RestoreOptions { TargetVaultUri = targetUri, SkipDamagedEntries = true }, factory);
                    session.AddArchive(damaged);
                    return session.Complete();
                });
                Assert.Contains(host.Warnings, w => w.Contains("only the entries that verify", StringComparison.Ordinal));
                var left = host.Errors.Where(x => x.Exception.ErrorId == KvErrorIds.ArchiveEntryInvalid).ToList();
                Assert.Equal(left.Count, summary.Failed);
                Assert.Equal(6 - left.Count, summary.Restored);
                log.WriteLine($"{kind}: refused without the switch (0 written); with it {summary.Restored} restored, {left.Count} left");
                Assert.Equal(summary.Restored, (await LocalVaultTransfer.SnapshotAsync(await Fixture.ConnectAsync(target), [KvObjectType.Secret])).Select(r => r.Key[..r.Key.LastIndexOf('/')]).Distinct().Count());
            }
        }
    }
}
