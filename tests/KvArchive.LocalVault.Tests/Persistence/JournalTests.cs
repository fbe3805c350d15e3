using System.Text.Json.Nodes;
using KvArchive.LocalVault.Tests.Infrastructure;

namespace KvArchive.LocalVault.Tests.Persistence;

/// <summary>
/// The journal on disk: a torn last frame (a crash in the middle of a write) and trailing garbage are ignored at
/// start, the server keeps working on the same directory; compaction folds the journal into a snapshot in the
/// background and nothing confirmed is lost by it.
/// </summary>
public sealed class JournalTests : IDisposable
{
    private const string Api = "?api-version=2026-04-01";
    private readonly DataDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_torn_last_frame_loses_only_that_write_and_the_directory_stays_usable()
    {
        var vaultName = await WriteThenKillAsync(5);

        // Cut the last frame short, as a crash in the middle of its write would have left it.
        var journal = _dir.Journals[^1];
        using (var file = new FileStream(journal, FileMode.Open))
        {
            file.SetLength(file.Length - 7);
        }

        await using (var b = await LocalVaultFixture.StartAsync("--data-dir", _dir.Path))
        {
            var vault = new VaultRef(vaultName, b.Server.VaultUri(vaultName));
            for (var i = 1; i <= 4; i++)
            {
                await AssertValueAsync(b, vault, $"s{i}", $"value-{i}");
            }

            KvAssert.Error(await b.SendAsync(HttpMethod.Get, vault, "secrets/s5" + Api), 404, "SecretNotFound");
            Assert.Equal(200, (await b.SendAsync(HttpMethod.Put, vault, "secrets/s6" + Api, """{"value":"value-6"}""")).StatusCode);
            b.Server.Kill();
        }

        await using var c = await LocalVaultFixture.StartAsync("--data-dir", _dir.Path);
        var again = new VaultRef(vaultName, c.Server.VaultUri(vaultName));
        for (var i = 1; i <= 4; i++)
        {
            await AssertValueAsync(c, again, $"s{i}", $"value-{i}");
        }

        await AssertValueAsync(c, again, "s6", "value-6");
    }

    [Fact]
    public async Task Garbage_after_the_last_frame_is_ignored()
    {
        var vaultName = await WriteThenKillAsync(5);

        // A frame header that claims more bytes than follow, then noise.
        var garbage = new byte[40];
        Random.Shared.NextBytes(garbage);
        garbage[0] = 0x00;
        garbage[1] = 0x10;
        garbage[2] = 0x00;
        garbage[3] = 0x00;
        await File.AppendAllBytesAsync(_dir.Journals[^1], garbage);

        await using var b = await LocalVaultFixture.StartAsync("--data-dir", _dir.Path);
        var vault = new VaultRef(vaultName, b.Server.VaultUri(vaultName));
        for (var i = 1; i <= 5; i++)
        {
            await AssertValueAsync(b, vault, $"s{i}", $"value-{i}");
        }
    }

    [Fact]
    public async Task Compaction_writes_a_snapshot_in_the_background_and_loses_nothing()
    {
        string vaultName;
        var written = new Dictionary<string, string>();
        await using (var a = await LocalVaultFixture.StartAsync("--data-dir", _dir.Path, "--compact-journal-bytes", "8192", "--no-throttling"))
        {
            var vault = await a.NewVaultAsync(new { throttling = false });
            vaultName = vault.Name;
            Assert.False(File.Exists(_dir.Snapshot), "a fresh directory has no snapshot before a compaction");
            for (var round = 0; round < 4; round++)
            {
                var batch = Enumerable.Range(0, 50).Select(i => ($"c{round}-{i}", $"value-{round}-{i}-{Guid.NewGuid():N}")).ToList();
                await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (item, _) =>
                {
                    var r = await a.SendAsync(HttpMethod.Put, vault, $"secrets/{item.Item1}" + Api, new JsonObject { ["value"] = item.Item2 }.ToJsonString());
                    Assert.Equal(200, r.StatusCode);
                });
                foreach (var (name, value) in batch)
                {
                    written[name] = value;
                }
            }

            // The journal passed 8 KB many times over: wait for the background compaction to have run.
            for (var wait = 0; wait < 600 && !File.Exists(_dir.Snapshot); wait++)
            {
                await Task.Delay(100);
            }

            Assert.True(File.Exists(_dir.Snapshot), "no snapshot was written by the background compaction");
            Assert.True(_dir.Journals.Count <= 2, $"older journals were not removed: {string.Join(", ", _dir.Journals.Select(Path.GetFileName))}");
            Assert.NotEqual("journal-00000001.lvj", Path.GetFileName(_dir.Journals[^1]));
            a.Server.Kill();
        }

        await using var b = await LocalVaultFixture.StartAsync("--data-dir", _dir.Path);
        var again = new VaultRef(vaultName, b.Server.VaultUri(vaultName));
        foreach (var (name, value) in written)
        {
            await AssertValueAsync(b, again, name, value);
        }
    }

    /// <summary>Creates a vault, sets s1..sN one after the other (each answer after its own flush), then SIGKILL.</summary>
    private async Task<string> WriteThenKillAsync(int count)
    {
        await using var a = await LocalVaultFixture.StartAsync("--data-dir", _dir.Path);
        var vault = await a.NewVaultAsync();
        for (var i = 1; i <= count; i++)
        {
            Assert.Equal(200, (await a.SendAsync(HttpMethod.Put, vault, $"secrets/s{i}" + Api, $$"""{"value":"value-{{i}}"}""")).StatusCode);
        }

        a.Server.Kill();
        return vault.Name;
    }

    private static async Task AssertValueAsync(LocalVaultFixture fx, VaultRef vault, string name, string value)
    {
        var r = await fx.SendAsync(HttpMethod.Get, vault, $"secrets/{name}" + Api);
        Assert.True(r.StatusCode == 200, $"{name}: {r}");
        Assert.Equal(value, r.Json["value"]!.GetValue<string>());
    }
}
