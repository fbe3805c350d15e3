using System.Security.Cryptography;
using System.Text.RegularExpressions;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Archive;

/// <summary>
/// A backup file as az CLI (<c>az keyvault secret backup --file</c>), Az PowerShell (<c>Backup-AzKeyVaultSecret</c>)
/// or the portal's Download Backup write it: the service's blob, no framing — the same bytes an archive entry holds.
/// Its kind comes from the blob's header (a secret, or a key or certificate), its name from the file name unless
/// given. Read-only; the bytes stay in memory (a blob is at most a few megabytes, and the file is refused above
/// <see cref="MaxLength"/>).
/// </summary>
public sealed partial class RawBackupFile
{
    /// <summary>The largest file taken as a backup blob (Key Vault backs up at most 500 versions of an object).</summary>
    public const long MaxLength = 64L * 1024 * 1024;

    private RawBackupFile(string path, KvObjectType type, string name, bool typeGuessed, byte[] blob, DateTimeOffset lastWrite)
    {
        Path = path;
        Type = type;
        Name = name;
        TypeGuessed = typeGuessed;
        Blob = blob;
        Size = blob.Length;
        Sha256 = Convert.ToHexString(SHA256.HashData(blob)).ToLowerInvariant();
        LastWriteTime = lastWrite;
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>The kind of object the blob holds.</summary>
    public KvObjectType Type { get; }

    /// <summary>The object's name (given, or taken from the file name).</summary>
    public string Name { get; }

    /// <summary>
    /// True when the header allowed a key or a certificate and nothing else told which: it was taken as a key.
    /// </summary>
    public bool TypeGuessed { get; }

    /// <summary>The blob's length in bytes.</summary>
    public long Size { get; }

    /// <summary>SHA-256 of the blob (lower-case hex).</summary>
    public string Sha256 { get; }

    /// <summary>When the file was last written (the latest the blob can have been taken).</summary>
    public DateTimeOffset LastWriteTime { get; }

    internal byte[] Blob { get; }

    /// <summary>
    /// Reads a backup file. <paramref name="type"/>: the kind, when known (needed to tell a certificate from a key,
    /// unless the file sits in a <c>certificates</c> folder or is named <c>*.certificate</c>/<c>*.cert</c>);
    /// <paramref name="name"/>: the object's name, else taken from the file name (without its extension, and
    /// without the <c>-&lt;unix time&gt;.&lt;fraction&gt;</c> that Az PowerShell's default file names end with).
    /// </summary>
    /// <exception cref="KvException"><see cref="KvErrorIds.ArchiveNotFound"/> (no such file),
    /// <see cref="KvErrorIds.BackupFileUnrecognized"/> (not a backup blob), <see cref="KvErrorIds.BackupFileKindMismatch"/>
    /// (the blob is of another kind than <paramref name="type"/>), <see cref="KvErrorIds.BackupFileNameInvalid"/>.</exception>
    public static RawBackupFile Read(string path, KvObjectType? type = null, string? name = null)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        byte[] content;
        DateTimeOffset lastWrite;
        try
        {
            var info = new FileInfo(fullPath);
            if (!info.Exists)
            {
                throw new KvException(KvErrorKind.NotFound, KvErrorIds.ArchiveNotFound, $"The file '{fullPath}' does not exist; check the path.");
            }

            if (info.Length > MaxLength)
            {
                throw Unrecognized(fullPath, $"it is {info.Length:N0} bytes long, more than any Key Vault backup");
            }

            content = File.ReadAllBytes(fullPath);
            lastWrite = new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KvException(KvErrorKind.PermissionDenied, KvErrorIds.BackupFileUnrecognized, $"The file '{fullPath}' cannot be read: {e.Message}", e);
        }

        var blob = BackupBlobHeader.FromFile(content)
            ?? throw Unrecognized(fullPath, "it does not start with the header of a Key Vault secret, key or certificate backup");
        var allowed = BackupBlobHeader.Kinds(blob);
        var guessed = false;
        KvObjectType kind;
        if (type is { } asked)
        {
            if (!allowed.Contains(asked))
            {
                throw new KvException(KvErrorKind.InvalidArgument, KvErrorIds.BackupFileKindMismatch, $"The file '{fullPath}' holds the backup of a {string.Join(" or ", allowed.Select(k => k.Word()))}, not of a {asked.Word()}.")
                {
                    ObjectType = asked,
                };
            }

            kind = asked;
        }
        else if (allowed.Length == 1)
        {
            kind = allowed[0];
        }
        else
        {
            var hint = KindFromFileName(fullPath);
            guessed = hint is null;
            kind = hint ?? KvObjectType.Key;
        }

        var objectName = name ?? NameFromFileName(fullPath);
        if (!ObjectNames.IsValid(objectName))
        {
            throw new KvException(KvErrorKind.InvalidArgument, KvErrorIds.BackupFileNameInvalid, name is null
                ? $"No object name can be taken from the file name '{System.IO.Path.GetFileName(fullPath)}': a Key Vault name is 1-127 letters, digits and dashes."
                : $"'{name}' is not a Key Vault object name (1-127 letters, digits and dashes).")
            {
                ObjectType = kind,
            };
        }

        return new RawBackupFile(fullPath, kind, objectName!, guessed, blob, lastWrite);
    }

    /// <summary>True when a file starts like a backup blob (raw or as base64 text); reads at most its first bytes.</summary>
    public static bool LooksLikeBackup(string path)
    {
        try
        {
            using var stream = new FileStream(System.IO.Path.GetFullPath(path), FileMode.Open, FileAccess.Read, FileShare.Read);
            var head = new byte[128];
            var n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            return BackupBlobHeader.Kinds(head.AsSpan(0, n)).Length > 0
                || (n >= 64 && BackupBlobHeader.FromFile(head.AsSpan(0, 64 - (64 % 4)).ToArray()) is not null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The blob as a one-entry archive's item, with no versions and no source vault (a file says neither).</summary>
    internal ArchiveItem ToItem() => new(Path, ToDocument());

    /// <summary>The entry's description: kind, name, size and hash; when the file was written as its backup time.</summary>
    internal ArchiveEntryDocument ToDocument() => new()
    {
        Kind = Type,
        Name = Name,
        Status = ArchiveEntryStatus.Saved,
        BackedUpOn = LastWriteTime,
        Blob = System.IO.Path.GetFileName(Path),
        Size = Size,
        Sha256 = Sha256,
    };

    /// <inheritdoc />
    public override string ToString() => $"{Type.Word()} {Name} ({Path})";

    private static KvObjectType? KindFromFileName(string path)
    {
        var folder = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(path));
        if (string.Equals(folder, "certificates", StringComparison.OrdinalIgnoreCase))
        {
            return KvObjectType.Certificate;
        }

        if (string.Equals(folder, "keys", StringComparison.OrdinalIgnoreCase))
        {
            return KvObjectType.Key;
        }

        var extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".certificate" or ".cert" or ".certbackup" => KvObjectType.Certificate,
            ".key" or ".keybackup" => KvObjectType.Key,
            _ => null,
        };
    }

    private static string NameFromFileName(string path)
    {
        var file = System.IO.Path.GetFileName(path);
        var az = AzDefaultName().Match(file);
        if (az.Success)
        {
            return az.Groups["name"].Value;
        }

        return System.IO.Path.GetFileNameWithoutExtension(file);
    }

    /// <summary>Az PowerShell's default: <c>&lt;vault&gt;-&lt;name&gt;-&lt;unix seconds&gt;.&lt;fraction&gt;</c> (the vault's name stays: it cannot be told apart).</summary>
    [GeneratedRegex(@"^(?<name>[0-9A-Za-z-]+)-\d{9,11}\.\d+$")]
    private static partial Regex AzDefaultName();

    private static KvException Unrecognized(string path, string problem)
        => new(KvErrorKind.InvalidData, KvErrorIds.BackupFileUnrecognized, $"The file '{path}' is not a KvArchive archive or a Key Vault backup file: {problem}.");
}
