using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace KvArchive.Engine.Archive;

/// <summary>
/// The constants of the archive format (docs/ARCHIVE-FORMAT.md): a ZIP whose entries are all stored
/// uncompressed, opening with <c>kvarchive.json</c>, closing with <c>manifest.json</c>, and a trailer in the
/// ZIP comment.
/// </summary>
internal static class ArchiveFormat
{
    /// <summary>Major version this build writes and the highest it reads.</summary>
    public const int Major = 1;

    /// <summary>Minor version this build writes; newer minors of the same major only add fields.</summary>
    public const int Minor = 1;

    public static string Version => $"{Major}.{Minor}";

    public const string FormatName = "KvArchive";

    /// <summary>The first entry: the magic and the format version.</summary>
    public const string HeaderEntryName = "kvarchive.json";

    /// <summary>The last entry: the manifest.</summary>
    public const string ManifestEntryName = "manifest.json";

    /// <summary>The ZIP comment starts with this, then the trailer's JSON.</summary>
    public const string TrailerPrefix = "KVARCHIVE-TRAILER ";

    /// <summary>Key Vault refuses to back up more versions than this.</summary>
    public const int MaxVersions = 500;

    public const uint LocalHeaderSignature = 0x04034b50;
    public const uint EndOfCentralDirectorySignature = 0x06054b50;
    public const int LocalHeaderFixedSize = 30;
    public const int EndOfCentralDirectorySize = 22;

    public static string KindFolder(Vault.KvObjectType type) => type switch
    {
        Vault.KvObjectType.Secret => "secrets",
        Vault.KvObjectType.Key => "keys",
        Vault.KvObjectType.Certificate => "certificates",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The engine's informational version (e.g. 0.1.0+commit), recorded as the tool version.</summary>
    public static string ToolVersion { get; } =
        typeof(ArchiveFormat).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ArchiveFormat).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    public static JsonSerializerOptions Json { get; } = CreateJsonOptions();

    /// <summary>Parses "major.minor"; false when it is not of that shape.</summary>
    public static bool TryParseVersion(string? text, out int major, out int minor)
    {
        major = minor = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var parts = text.Split('.');
        return parts.Length == 2
            && int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out major)
            && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out minor);
    }

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = false,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        return options;
    }
}
