namespace KvArchive.Engine.Transfer.Rate;

/// <summary>
/// How the allowance grows after a 429, as TCP CUBIC grows its window after a loss: a(t) = max + c·(t − K)³, where max
/// is what this client held of the window when the 429 came and K the time the curve takes back to it. It climbs fast
/// at first, flattens near max (where the vault last refused: other callers may still be there, and probing there
/// takes their budget), then grows ever faster beyond it (they may have gone). How fast it comes back does not depend
/// on how far it fell: a low estimate from one early 429 is gone within seconds.
/// </summary>
/// <remarks>Not thread-safe: the limiter calls it under its lock.</remarks>
internal sealed class CubicGrowth
{
    private readonly double _c;
    private readonly long _frequency;
    private long _epoch;
    private double _max;
    private double _k;

    /// <summary><paramref name="c"/> in units per second cubed; <paramref name="frequency"/> of the timestamps.</summary>
    public CubicGrowth(double c, long frequency)
    {
        _c = c;
        _frequency = frequency;
    }

    /// <summary>True once a 429 started the curve.</summary>
    public bool Started { get; private set; }

    /// <summary>Starts the curve at <paramref name="start"/>, heading back to <paramref name="max"/>.</summary>
    public void Restart(long now, double max, double start)
    {
        Started = true;
        _epoch = now;
        _max = max;
        _k = Math.Cbrt(Math.Max(0, max - start) / _c);
    }

    /// <summary>The value at <paramref name="now"/>.</summary>
    public double At(long now)
    {
        var d = ((double)(now - _epoch) / _frequency) - _k;
        return _max + (_c * d * d * d);
    }
}
