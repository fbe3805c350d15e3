using System.Text.RegularExpressions;

namespace KvArchive.PackageBuilder;

/// <summary>
/// The release notes of one version from CHANGELOG.md ("Keep a Changelog" shape): the body under the
/// "## [x.y.z]" heading, up to the next "## " heading, without the link definitions that close the file.
/// </summary>
internal static class Changelog
{
    private static readonly Regex NextSection = new(@"^##\s", RegexOptions.CultureInvariant);
    private static readonly Regex LinkDefinition = new(@"^\[[^\]]+\]:\s*\S+\s*$", RegexOptions.CultureInvariant);

    /// <summary>The section of <paramref name="version"/>; fails when it is missing or empty.</summary>
    public static string ReleaseNotes(string path, string version)
    {
        if (!File.Exists(path))
        {
            throw new PackageException(path, "CHANGELOG.md does not exist; the package's release notes come from it.");
        }

        var heading = new Regex(@"^##\s+\[?v?" + Regex.Escape(version) + @"\]?(\s|$)", RegexOptions.CultureInvariant);
        var lines = File.ReadAllLines(path);
        var start = Array.FindIndex(lines, l => heading.IsMatch(l));
        if (start < 0)
        {
            throw new PackageException(path, $"there is no '## [{version}]' section for the version being packed (KvArchiveVersion in Directory.Build.props).");
        }

        var body = lines.Skip(start + 1).TakeWhile(l => !NextSection.IsMatch(l)).Where(l => !LinkDefinition.IsMatch(l))
            .Select(l => l.TrimEnd()).ToList();
        var notes = string.Join("\n", body).Trim('\n', ' ');
        if (notes.Length == 0)
        {
            throw new PackageException(path, $"the '## [{version}]' section is empty.");
        }

        return notes;
    }
}
