namespace KvArchive.LocalVault.Throttling;

/// <summary>A vault's three budgets over sliding 10-second windows.</summary>
public sealed class VaultThrottle
{
    public const int GeneralLimit = 4000;
    public const int SecretSetLimit = 300;
    public const int KeyCreateLimit = 20;
    private const long WindowMs = 10_000;

    private readonly SlidingWindowLimiter _general = new(GeneralLimit, WindowMs);
    private readonly SlidingWindowLimiter _secretSet = new(SecretSetLimit, WindowMs);
    private readonly SlidingWindowLimiter _keyCreate = new(KeyCreateLimit, WindowMs);

    public bool TryAcquire(BudgetKind kind, long nowMs) => kind switch
    {
        BudgetKind.SecretSet => _secretSet.TryAcquire(nowMs),
        BudgetKind.KeyCreate => _keyCreate.TryAcquire(nowMs),
        _ => _general.TryAcquire(nowMs),
    };

    public void Reset()
    {
        _general.Reset();
        _secretSet.Reset();
        _keyCreate.Reset();
    }
}
