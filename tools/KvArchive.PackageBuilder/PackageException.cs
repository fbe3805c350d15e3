namespace KvArchive.PackageBuilder;

/// <summary>A reason not to produce the package, reported against the file that has to change.</summary>
internal sealed class PackageException(string file, string message) : Exception(message)
{
    /// <summary>The file to fix (the manifest, CHANGELOG.md, ...).</summary>
    public string File { get; } = file;

    /// <summary>The canonical error line MSBuild's Exec task recognizes and reports as a build error.</summary>
    public string ToMSBuildError() => $"{File} : error KVPKG: {Message}";
}
