using System.Globalization;

namespace KvArchive.Bench;

/// <summary>Command-line settings of the benchmark (and of one child phase).</summary>
public sealed class BenchOptions
{
    /// <summary>The service's documented budget: 4,000 operations per 10 seconds per vault.</summary>
    public const double CeilingPerSecond = 400;

    /// <summary>Which conditions to run: a clean, b shared, c burst, d faults.</summary>
    public string Scenarios { get; private set; } = "abcd";

    /// <summary>(a) clean vault: objects backed up and restored.</summary>
    public int CleanSize { get; private set; } = 10_000;

    /// <summary>(b) shared vault: objects backed up while a competing client uses about half the budget.</summary>
    public int SharedSize { get; private set; } = 2_000;

    /// <summary>(c) burst: objects backed up while another caller's burst comes in the middle.</summary>
    public int BurstSize { get; private set; } = 10_000;

    /// <summary>(d) faults: objects backed up and restored with dropped connections, 503s and one failing object.</summary>
    public int FaultsSize { get; private set; } = 2_000;

    /// <summary>The competing client's share of the budget in (b).</summary>
    public double CompetitorShare { get; private set; } = 0.475;

    public bool Quick { get; private set; }
    public int LatencyMs { get; private set; } = 20;
    public int JitterMs { get; private set; } = 5;
    public int SerialSample { get; private set; } = 500;
    public int ThrottleLimit { get; private set; } = 32;
    public bool NoResults { get; private set; }

    /// <summary>Print each phase's accepted requests and 429s second by second.</summary>
    public bool Timeline { get; private set; }

    // Child-phase settings.
    public string? Phase { get; private set; }
    public int Size { get; private set; }
    public string Source { get; private set; } = "";
    public string Target { get; private set; } = "";
    public string Archive { get; private set; } = "";
    public int Port { get; private set; }

    /// <summary>-MaxBudgetShare for the phase (null: the module's default).</summary>
    public double? Share { get; private set; }

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--scenarios": o.Scenarios = Next(); break;
                case "--clean-size": o.CleanSize = NextInt(); break;
                case "--shared-size": o.SharedSize = NextInt(); break;
                case "--burst-size": o.BurstSize = NextInt(); break;
                case "--faults-size": o.FaultsSize = NextInt(); break;
                case "--competitor-share": o.CompetitorShare = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--quick": o.Quick = true; o.CleanSize = 1000; o.SharedSize = 600; o.BurstSize = 5000; o.FaultsSize = 400; o.SerialSample = 100; break;
                case "--latency-ms": o.LatencyMs = NextInt(); break;
                case "--jitter-ms": o.JitterMs = NextInt(); break;
                case "--serial-sample": o.SerialSample = NextInt(); break;
                case "--throttle-limit": o.ThrottleLimit = NextInt(); break;
                case "--no-results": o.NoResults = true; break;
                case "--timeline": o.Timeline = true; break;
                case "--phase": o.Phase = Next(); break;
                case "--size": o.Size = NextInt(); break;
                case "--source": o.Source = Next(); break;
                case "--target": o.Target = Next(); break;
                case "--archive": o.Archive = Next(); break;
                case "--port": o.Port = NextInt(); break;
                case "--share": o.Share = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"Unknown argument {args[i]}");
            }
        }

        return o;
    }
}
