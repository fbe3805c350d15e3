namespace KvArchive.LocalVault.Throttling;

/// <summary>Which of a vault's service-documented budgets a request draws on (exactly one).</summary>
public enum BudgetKind
{
    /// <summary>4,000 per 10 s: get, list, backup, restore, delete, update…</summary>
    General,

    /// <summary>300 per 10 s: secret sets.</summary>
    SecretSet,

    /// <summary>20 per 10 s: software RSA and EC key creates (certificate creates too, they create a key).</summary>
    KeyCreate,
}
