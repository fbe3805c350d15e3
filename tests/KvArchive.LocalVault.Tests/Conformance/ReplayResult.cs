namespace KvArchive.LocalVault.Tests.Conformance;

/// <summary>The outcome of one replayed step (a call, a poll loop or a paged list).</summary>
public sealed record StepResult(string Description, IReadOnlyList<string> Diffs, string? Note = null)
{
    public bool Passed => Diffs.Count == 0;
}

/// <summary>The outcome of replaying one recorded session.</summary>
public sealed class ReplayResult(string session)
{
    public string Session { get; } = session;

    public List<StepResult> Steps { get; } = [];

    public List<string> Notes { get; } = [];

    public int Passed => Steps.Count(s => s.Passed);

    public int Failed => Steps.Count(s => !s.Passed);

    public string Summary() => $"{Session}: {Passed} passed, {Failed} failed ({Steps.Count} steps)";

    public string Details()
    {
        var lines = new List<string> { Summary() };
        lines.AddRange(Notes.Select(n => "  note: " + n));
        foreach (var s in Steps)
        {
            lines.Add($"  [{(s.Passed ? "pass" : "FAIL")}] {s.Description}{(s.Note is null ? string.Empty : " (" + s.Note + ")")}");
            lines.AddRange(s.Diffs.Select(d => "      - " + d));
        }

        return string.Join("\n", lines);
    }
}
