using System.Text.Json;

namespace KvArchive.LocalVault.Persistence;

/// <summary>
/// <c>state.lvsnap</c>: "LVS2", then the encrypted JSON of a <see cref="StateSnapshot"/>. Written to a temporary
/// file, flushed to disk and renamed over the old one (then the directory is flushed), so a crash leaves either
/// snapshot whole.
/// </summary>
public static class SnapshotFile
{
    public const string FileName = "state.lvsnap";
    private static readonly byte[] Magic = "LVS2"u8.ToArray();

    /// <summary>Writes a snapshot atomically; returns its size.</summary>
    public static long Write(string directory, StateSnapshot snapshot, StateCipher cipher)
    {
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(snapshot);
        var bytes = new byte[Magic.Length + StateCipher.Overhead + plaintext.Length];
        Magic.CopyTo(bytes, 0);
        cipher.Seal(plaintext, bytes.AsSpan(Magic.Length), Magic);
        var path = Path.Combine(directory, FileName);
        var temp = path + $".{Environment.ProcessId}.tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        DirectorySync.Flush(directory);
        return bytes.Length;
    }

    /// <summary>The snapshot of a directory, or null when there is none; throws when it cannot be read.</summary>
    public static StateSnapshot? Read(string directory, StateCipher cipher, out long size)
    {
        var path = Path.Combine(directory, FileName);
        size = 0;
        if (!File.Exists(path))
        {
            return null;
        }

        var data = File.ReadAllBytes(path);
        size = data.Length;
        if (data.Length < Magic.Length || !data.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{path} is not a LocalVault snapshot.");
        }

        return JsonSerializer.Deserialize<StateSnapshot>(cipher.Open(data.AsSpan(Magic.Length), Magic))
            ?? throw new InvalidDataException($"{path} is empty.");
    }
}
