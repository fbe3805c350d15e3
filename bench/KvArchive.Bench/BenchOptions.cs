using System.Globalization;

namespace KvArchive.Bench;

/// <summary>Command-line settings of the benchmark (and of one child phase).</summary>
public sealed class BenchOptions
{
    /// <summary>The service's documented budget: about 4,000 operations per 10 seconds per vault.</summary>
    public const double CeilingPerSecond = 400;

    public IReadOnlyList<int> Sizes { get; private set; } = [1000, 5000, 10000];
    public bool Quick { get; private set; }
    public int LatencyMs { get; private set; } = 20;
    public int JitterMs { get; private set; } = 5;
    public int SerialSample { get; private set; } = 1000;
    public int ThrottleLimit { get; private set; } = 32;
    public bool NoResults { get; private set; }

    /// <summary>
    /// Also run backup and restore with tiered compilation off, to tell the memory the objects take from the code
    /// the JIT compiles again in a long run (on by default, off in quick mode).
    /// </summary>
    public bool JitDiagnostic { get; private set; } = true;

    /// <summary>Print each phase's accepted requests and 429s second by second.</summary>
    public bool Timeline { get; private set; }

    // Child-phase settings.
    public string? Phase { get; private set; }
    public int Size { get; private set; }
    public string Source { get; private set; } = "";
    public string Target { get; private set; } = "";
    public string Archive { get; private set; } = "";
    public int Port { get; private set; }

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--sizes": o.Sizes = Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--quick": o.Quick = true; o.Sizes = [200, 600]; o.SerialSample = 200; o.JitDiagnostic = false; break;
                case "--no-jit-diagnostic": o.JitDiagnostic = false; break;
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
                default: throw new ArgumentException($"Unknown argument {args[i]}");
            }
        }

        return o;
    }
}
