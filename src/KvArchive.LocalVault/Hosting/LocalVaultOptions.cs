using System.Globalization;
using System.Security.Cryptography;

namespace KvArchive.LocalVault.Hosting;

/// <summary>LocalVault's command line (see README.md).</summary>
public sealed class LocalVaultOptions
{
    public int Port { get; set; } = 8443;

    public int IdentityPort { get; set; }

    public List<string> Vaults { get; } = [];

    public string Geography { get; set; } = "localgeo";

    public string TlsDirectory { get; set; } = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".localvault", "tls");

    public string? DataDirectory { get; set; }

    /// <summary>Journal size that starts a background compaction (tests make it small).</summary>
    public long CompactJournalBytes { get; set; } = Persistence.VaultPersistence.DefaultCompactAfterBytes;

    public string ManagementKey { get; set; } = RandomKey();

    public string IdentityHeader { get; set; } = RandomKey();

    public int DeleteDelayMs { get; set; }

    public bool Throttling { get; set; } = true;

    public bool ExitOnStdinClose { get; set; }

    /// <summary>Write one line per request to standard error (off by default: logging costs throughput).</summary>
    public bool LogRequests { get; set; }

    public bool ShowHelp { get; set; }

    public const string Usage = """
        Usage: KvArchive.LocalVault [options]
          --port N                 HTTPS port on 127.0.0.1 (0: any free one; default 8443)
          --identity-port N        plain-HTTP port of the managed-identity endpoint (0: any free one; default 0)
          --vault NAME             create a vault at start (repeatable)
          --geography NAME         geography backup blobs are bound to (default localgeo)
          --tls-dir DIR            where localvault.crt.pem / localvault.key.pem live (default ~/.localvault/tls)
          --data-dir DIR           persist every vault there (default: in memory); answers wait until durable
          --compact-journal-bytes N  journal size that starts a compaction into a snapshot (default 33554432)
          --management-key KEY     key of the /_localvault endpoints (default: random, printed)
          --identity-header VALUE  X-IDENTITY-HEADER value of the managed-identity endpoint (default: random, printed)
          --delete-delay-ms N      delay of asynchronous delete/recover/purge for new vaults (default 0)
          --no-throttling          new vaults start with throttling off
          --exit-on-stdin-close    stop when standard input closes
          --log-requests           one line per request on standard error
        """;

    /// <summary>Parses the command line; throws <see cref="ArgumentException"/> with a message for the user.</summary>
    public static LocalVaultOptions Parse(IReadOnlyList<string> args)
    {
        var o = new LocalVaultOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value.");
            int Number(int min, int max)
            {
                var v = Value();
                return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
                    ? n
                    : throw new ArgumentException($"{arg} must be an integer from {min} to {max}, not '{v}'.");
            }

            switch (arg)
            {
                case "--port": o.Port = Number(0, 65535); break;
                case "--identity-port": o.IdentityPort = Number(0, 65535); break;
                case "--vault": o.Vaults.Add(Value()); break;
                case "--geography": o.Geography = NonEmpty(arg, Value()); break;
                case "--tls-dir": o.TlsDirectory = Path.GetFullPath(NonEmpty(arg, Value())); break;
                case "--data-dir": o.DataDirectory = Path.GetFullPath(NonEmpty(arg, Value())); break;
                case "--compact-journal-bytes": o.CompactJournalBytes = Number(4096, int.MaxValue); break;
                case "--management-key": o.ManagementKey = NonEmpty(arg, Value()); break;
                case "--identity-header": o.IdentityHeader = NonEmpty(arg, Value()); break;
                case "--delete-delay-ms": o.DeleteDelayMs = Number(0, 3_600_000); break;
                case "--no-throttling": o.Throttling = false; break;
                case "--exit-on-stdin-close": o.ExitOnStdinClose = true; break;
                case "--log-requests": o.LogRequests = true; break;
                case "--help" or "-h" or "-?": o.ShowHelp = true; break;
                default: throw new ArgumentException($"Unknown option '{arg}'.");
            }
        }

        return o;
    }

    private static string NonEmpty(string option, string value)
        => string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"{option} needs a non-empty value.") : value;

    private static string RandomKey() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
}
