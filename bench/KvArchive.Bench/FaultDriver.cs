using KvArchive.TestSupport;

namespace KvArchive.Bench;

/// <summary>
/// Random-looking faults from LocalVault's counted rules: every quarter second it reads how many requests the vault
/// served since the last look and arms rules for the next ones — a share of them dropped, a share answered 503 — plus
/// rules that always apply (one object whose backup always fails). The counts actually hit are read from the stats.
/// </summary>
public sealed class FaultDriver : IAsyncDisposable
{
    private readonly LocalVaultServer _server;
    private readonly string _vault;
    private readonly int _latencyMs;
    private readonly int _jitterMs;
    private readonly double _dropShare;
    private readonly double _unavailableShare;
    private readonly IReadOnlyList<object> _always;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FaultDriver(LocalVaultServer server, string vault, int latencyMs, int jitterMs, double dropShare, double unavailableShare, IReadOnlyList<object> always)
    {
        _server = server;
        _vault = vault;
        _latencyMs = latencyMs;
        _jitterMs = jitterMs;
        _dropShare = dropShare;
        _unavailableShare = unavailableShare;
        _always = always;
        _loop = RunAsync();
    }

    /// <summary>Dropped connections and 503s the armed rules actually answered.</summary>
    public long Dropped { get; private set; }

    public long Unavailable { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        await CountConsumedAsync();
        await _server.SetFaultsAsync(_vault, new { latencyMs = _latencyMs, jitterMs = _jitterMs });
    }

    /// <summary>What the armed rules answered since the last look: their count less what is left of it.</summary>
    private async Task CountConsumedAsync()
    {
        var plan = await _server.SendAsync(HttpMethod.Get, $"_localvault/vaults/{_vault}/faults", null);
        foreach (var rule in plan["rules"]?.AsArray() ?? [])
        {
            var remaining = rule?["remaining"]?.GetValue<int>() ?? 0;
            if (rule?["drop"]?.GetValue<bool>() == true && _armedDrops > 0)
            {
                Dropped += _armedDrops - remaining;
            }
            else if (rule?["status"]?.GetValue<int>() == 503 && _armedUnavailable > 0)
            {
                Unavailable += _armedUnavailable - remaining;
            }
        }

        _armedDrops = 0;
        _armedUnavailable = 0;
    }

    private int _armedDrops;
    private int _armedUnavailable;

    private async Task RunAsync()
    {
        long seen = (await _server.GetStatsAsync(_vault))["requests"]!.GetValue<long>();
        double drops = 0, unavailable = 0;
        while (!_stop.IsCancellationRequested)
        {
            var requests = (await _server.GetStatsAsync(_vault))["requests"]!.GetValue<long>();
            drops += (requests - seen) * _dropShare;
            unavailable += (requests - seen) * _unavailableShare;
            seen = requests;
            await CountConsumedAsync();
            var rules = new List<object>(_always);
            if (drops >= 1)
            {
                _armedDrops = (int)drops;
                rules.Add(new { drop = true, count = (int)drops });
                drops -= (int)drops;
            }

            if (unavailable >= 1)
            {
                _armedUnavailable = (int)unavailable;
                rules.Add(new { status = 503, count = (int)unavailable });
                unavailable -= (int)unavailable;
            }

            await _server.SetFaultsAsync(_vault, new { latencyMs = _latencyMs, jitterMs = _jitterMs, rules });
            try
            {
                await Task.Delay(250, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
