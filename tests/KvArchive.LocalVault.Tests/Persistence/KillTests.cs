using Xunit.Abstractions;

namespace KvArchive.LocalVault.Tests.Persistence;

/// <summary>
/// LocalVault with --data-dir never loses a write it confirmed: concurrent restores, sets and deletes, SIGKILL at a
/// random moment, restart on the same directory, every confirmed write looked for. Several trials, each with its own
/// seed (printed, so a failure can be replayed) and its own kill point; the figures go to the test output.
/// </summary>
public sealed class KillTests(ITestOutputHelper output) : IDisposable
{
    private readonly List<string> _directories = [];

    /// <summary>Trials per test; KVARCHIVE_KILL_TRIALS raises it for a longer run.</summary>
    private static int Trials(int normal)
        => int.TryParse(Environment.GetEnvironmentVariable("KVARCHIVE_KILL_TRIALS"), out var n) && n > 0 ? n : normal;

    public void Dispose()
    {
        foreach (var dir in _directories)
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }

    [Fact]
    public Task Confirmed_writes_survive_kill_9_at_random_moments() => RunTrialsAsync(Trials(5), blobCount: 1500, []);

    [Fact]
    public Task Confirmed_writes_survive_kill_9_during_compaction()
        => RunTrialsAsync(Trials(3), blobCount: 1000, ["--compact-journal-bytes", "65536"]);

    private async Task RunTrialsAsync(int trials, int blobCount, string[] extraArgs)
    {
        var blobs = await KillTrial.MakeBlobsAsync(blobCount);
        var seed = Environment.TickCount;
        var random = new Random(seed);
        int confirmed = 0, lostTotal = 0;
        var failures = new List<string>();
        for (var t = 0; t < trials; t++)
        {
            var dataDir = NewDirectory();
            var trial = new KillTrial();
            var killAfter = random.Next(150, 2500);
            await trial.DriveAndKillAsync(dataDir, blobs, killAfter, random, extraArgs);
            var lost = await trial.FindLostAsync(dataDir);
            confirmed += trial.Confirmed;
            lostTotal += lost.Count;
            failures.AddRange(lost.Take(10).Select(l => $"trial {t}: {l}"));
            output.WriteLine($"trial {t}: killed after {killAfter}+ confirmed writes; confirmed {trial.Confirmed} (restores {trial.Restores}, sets {trial.Sets}, deletes {trial.Deletes}); lost {lost.Count}");
        }

        output.WriteLine($"KILL-TRIALS seed={seed} trials={trials} confirmed={confirmed} lost={lostTotal} args=[{string.Join(' ', extraArgs)}]");
        Assert.True(lostTotal == 0, $"seed {seed}: {lostTotal} confirmed writes lost:\n{string.Join('\n', failures)}");
        Assert.True(confirmed >= trials * 150, $"only {confirmed} writes were confirmed in {trials} trials");
    }

    private string NewDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "kvarchive-lv-kill-" + Guid.NewGuid().ToString("N"));
        _directories.Add(dir);
        return dir;
    }
}
