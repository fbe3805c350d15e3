using KvArchive.LocalVault.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KvArchive.LocalVault.Tests.Conformance;

/// <summary>
/// Replays every session in shared/conformance/recordings (real Key Vault traffic, see INDEX.md) against LocalVault
/// and compares each answer structurally. Per-session pass/fail counts go to the test output and to
/// replay-report.md in the test output folder.
/// </summary>
public sealed class RecordingReplayTests(LocalVaultFixture fx, ITestOutputHelper output) : IClassFixture<LocalVaultFixture>
{
    private static readonly object ReportLock = new();
    private static readonly Lazy<string> ReportPath = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "replay-report.md");
        File.WriteAllText(path, "# Replay of shared/conformance/recordings against LocalVault\n\n");
        return path;
    });

    public static TheoryData<string> Sessions()
    {
        var data = new TheoryData<string>();
        foreach (var s in RecordingSession.All())
        {
            data.Add(s);
        }

        return data;
    }

    [Fact]
    public void All_forty_recorded_sessions_are_found()
    {
        var all = RecordingSession.All();
        Assert.Equal(40, all.Count);
        Assert.Equal(31, all.Count(s => s.StartsWith("azure-sdk-for-cpp/", StringComparison.Ordinal)));
        Assert.Equal(6, all.Count(s => s.StartsWith("azure-keyvault-java/", StringComparison.Ordinal)));
        Assert.Equal(3, all.Count(s => s.StartsWith("azure-sdk-for-net/", StringComparison.Ordinal)));
        foreach (var s in all)
        {
            Assert.NotEmpty(RecordingSession.Load(s).Calls);
        }
    }

    [Theory]
    [MemberData(nameof(Sessions))]
    public async Task Recorded_session_replays_structurally_equal(string session)
    {
        var recording = RecordingSession.Load(session);
        var result = await new SessionReplayer(fx, recording).RunAsync();
        output.WriteLine(result.Details());
        lock (ReportLock)
        {
            File.AppendAllText(ReportPath.Value, result.Details() + "\n\n");
        }

        Assert.True(result.Steps.Count > 0, "nothing was replayed");
        Assert.True(result.Failed == 0, result.Details());
    }
}
