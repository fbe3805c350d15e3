namespace LocalVaultBench;

/// <summary>Command-line options: --duration SECONDS, --concurrency N, --secrets N, --output FILE, --no-write.</summary>
public sealed record BenchOptions(TimeSpan Duration, int Concurrency, int Secrets, string? Output)
{
    public static BenchOptions Parse(string[] args)
    {
        var duration = TimeSpan.FromSeconds(10);
        var concurrency = 32;
        var secrets = 2000;
        string? output = Path.Combine(KvArchive.TestSupport.LocalVaultServer.RepoRoot(), "bench", "LOCALVAULT-RESULTS.md");
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--duration":
                    duration = TimeSpan.FromSeconds(double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case "--concurrency":
                    concurrency = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--secrets":
                    secrets = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--output":
                    output = args[++i];
                    break;
                case "--no-write":
                    output = null;
                    break;
                default:
                    throw new ArgumentException($"unknown option {args[i]}; options: --duration S --concurrency N --secrets N --output FILE --no-write");
            }
        }

        return new BenchOptions(duration, concurrency, secrets, output);
    }
}
