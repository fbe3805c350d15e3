using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Persistence;

/// <summary>
/// Keeps every vault of a data directory across restarts. Changes mark a vault dirty; a background loop saves dirty
/// vaults at most every <see cref="IntervalMs"/>, and a vault whose save took T at most every 10·T (so saving never
/// dominates request time): the state is captured
/// under the vault lock, then serialized, encrypted (AES-GCM with the directory's key file, so no secret is ever
/// written in clear) and written to a temporary file that is renamed over the old one.
/// </summary>
public sealed class VaultPersistence : IAsyncDisposable
{
    public const int IntervalMs = 250;
    private static readonly byte[] Magic = "LVS1"u8.ToArray();

    private readonly string _directory;
    private readonly string _vaultDirectory;
    private readonly byte[] _stateKey;
    private readonly TextWriter _log;
    private readonly object _fileGate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, long> _nextSave = new(StringComparer.Ordinal);
    private VaultRegistry? _registry;
    private Task? _loop;

    public VaultPersistence(string directory, TextWriter log)
    {
        _directory = directory;
        _vaultDirectory = Path.Combine(directory, "vaults");
        _log = log;
        Directory.CreateDirectory(_vaultDirectory);
        var key = LoadOrCreateKey(Path.Combine(directory, "localvault.key"));
        _stateKey = key[..32];
        TokenSigningKey = key[32..];
    }

    /// <summary>The token signing key kept with the data, so issued tokens stay valid after a restart.</summary>
    public byte[] TokenSigningKey { get; }

    /// <summary>Loads every saved vault into the registry (before the server starts).</summary>
    public int LoadInto(VaultRegistry registry)
    {
        var count = 0;
        foreach (var file in Directory.EnumerateFiles(_vaultDirectory, "*.lvstate"))
        {
            try
            {
                var state = JsonSerializer.Deserialize<VaultStateFile>(Decrypt(File.ReadAllBytes(file)))
                    ?? throw new InvalidDataException("empty state");
                registry.Add(state.Restore(registry.BaseUriFor(state.Name)));
                count++;
            }
            catch (Exception e) when (e is JsonException or CryptographicException or InvalidDataException or IOException)
            {
                _log.WriteLine($"LocalVault: could not load {file}: {e.Message}");
            }
        }

        return count;
    }

    public void Start(VaultRegistry registry)
    {
        _registry = registry;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Deletes a removed vault's file.</summary>
    public void Remove(Vault vault)
    {
        lock (_fileGate)
        {
            var path = PathOf(vault.Name);
            if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>Saves every dirty vault now (<paramref name="force"/>) or when its pacing allows.</summary>
    public void Flush(bool force = true)
    {
        if (_registry is null)
        {
            return;
        }

        foreach (var vault in _registry.All)
        {
            var now = Environment.TickCount64;
            if (!force && _nextSave.TryGetValue(vault.Name, out var next) && now < next)
            {
                continue;
            }

            if (vault.TakeDirty())
            {
                try
                {
                    Save(vault);

                    // A big vault saves less often: saving takes at most about a tenth of the time.
                    _nextSave[vault.Name] = Environment.TickCount64 + Math.Max(IntervalMs, 10 * (Environment.TickCount64 - now));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    vault.MarkDirty();
                    _log.WriteLine($"LocalVault: could not save vault {vault.Name}: {e.Message}");
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }

        Flush();
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await Task.Delay(IntervalMs, _stop.Token);
            Flush(force: false);
        }
    }

    private void Save(Vault vault)
    {
        var state = VaultStateFile.Capture(vault);
        var bytes = Encrypt(JsonSerializer.SerializeToUtf8Bytes(state));
        lock (_fileGate)
        {
            if (vault.Removed)
            {
                return;
            }

            var path = PathOf(vault.Name);
            var temp = path + $".{Environment.ProcessId}.tmp";
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, path, overwrite: true);
        }
    }

    private string PathOf(string vaultName) => Path.Combine(_vaultDirectory, vaultName.ToLowerInvariant() + ".lvstate");

    private byte[] Encrypt(byte[] plaintext)
    {
        var output = new byte[Magic.Length + 12 + 16 + plaintext.Length];
        Magic.CopyTo(output, 0);
        var nonce = output.AsSpan(Magic.Length, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_stateKey, 16);
        aes.Encrypt(nonce, plaintext, output.AsSpan(Magic.Length + 28), output.AsSpan(Magic.Length + 12, 16), Magic);
        return output;
    }

    private byte[] Decrypt(byte[] data)
    {
        if (data.Length < Magic.Length + 28 || !data.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException("not a LocalVault state file");
        }

        var plaintext = new byte[data.Length - Magic.Length - 28];
        using var aes = new AesGcm(_stateKey, 16);
        aes.Decrypt(data.AsSpan(Magic.Length, 12), data.AsSpan(Magic.Length + 28), data.AsSpan(Magic.Length + 12, 16), plaintext, Magic);
        return plaintext;
    }

    private static byte[] LoadOrCreateKey(string path)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (File.Exists(path))
            {
                var existing = File.ReadAllBytes(path);
                if (existing.Length == 64)
                {
                    return existing;
                }

                Thread.Sleep(20);
                continue;
            }

            var key = RandomNumberGenerator.GetBytes(64);
            var temp = path + $".{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temp, options))
            {
                stream.Write(key);
            }

            try
            {
                File.Move(temp, path, overwrite: false);
                return key;
            }
            catch (IOException)
            {
                File.Delete(temp);
            }
        }

        throw new IOException($"Could not read or create the key file {path}.");
    }
}
