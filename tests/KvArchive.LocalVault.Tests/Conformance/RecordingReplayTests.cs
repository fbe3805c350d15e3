using KvArchive.LocalVault.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KvArchive.LocalVault.Tests.Conformance;

/// <summary>
/// Replays every session in shared/conformance/recordings and in Conformance/recordings-js (real Key Vault traffic,
/// see the INDEX.md of each) against LocalVault
/// and compares each answer structurally. Per-session pass/fail counts go to the test output and to
/// replay-report.md in the test output folder.
/// </summary>
public sealed class RecordingReplayTests(LocalVaultFixture fx, ITestOutputHelper output) : IClassFixture<LocalVaultFixture>
{
    private static readonly object ReportLock = new();
    private static readonly Lazy<string> ReportPath = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "replay-report.md");
        File.WriteAllText(path, "# Replay of shared/conformance/recordings and Conformance/recordings-js against LocalVault\n\n");
        return path;
    });

    /// <summary>The JavaScript SDK's recordings in Conformance/recordings-js (its INDEX.md lists them).</summary>
    private const int JsSessions = 11;

    /// <summary>Of those, the keys package's (cryptography); the rest are the certificates package's.</summary>
    private const int JsKeysSessions = 7;

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
    public void All_recorded_sessions_are_found()
    {
        var all = RecordingSession.All();
        Assert.Equal(40 + JsSessions, all.Count);
        Assert.Equal(31, all.Count(s => s.StartsWith("azure-sdk-for-cpp/", StringComparison.Ordinal)));
        Assert.Equal(6, all.Count(s => s.StartsWith("azure-keyvault-java/", StringComparison.Ordinal)));
        Assert.Equal(3, all.Count(s => s.StartsWith("azure-sdk-for-net/", StringComparison.Ordinal)));
        Assert.Equal(JsSessions, all.Count(s => s.StartsWith("azure-sdk-for-js/", StringComparison.Ordinal)));
        Assert.Equal(JsKeysSessions, all.Count(s => s.StartsWith("azure-sdk-for-js/keyvault-keys/", StringComparison.Ordinal)));
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
