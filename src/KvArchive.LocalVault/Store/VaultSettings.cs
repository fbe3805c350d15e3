namespace KvArchive.LocalVault.Store;

/// <summary>A vault's settings. Immutable: a change stores a new instance.</summary>
public sealed record VaultSettings
{
    public required string Geography { get; init; }

    /// <summary>7–90.</summary>
    public int RecoverableDays { get; init; } = 90;

    public bool PurgeProtection { get; init; }

    public bool SoftDelete { get; init; } = true;

    /// <summary>Duration of asynchronous delete, recover and purge.</summary>
    public int DeleteDelayMs { get; init; }

    public bool Throttling { get; init; } = true;

    /// <summary>Retry-After on 429 answers; null: none (as the service was seen to do).</summary>
    public int? RetryAfterSeconds { get; init; }

    public PageShape PageShape { get; init; } = PageShape.Natural;

    /// <summary>How long a certificate create stays "inProgress" (0: it completes at the first poll).</summary>
    public int CertificateDelayMs { get; init; }

    /// <summary>The recoveryLevel attribute these settings give.</summary>
    public string RecoveryLevel => !SoftDelete
        ? "Purgeable"
        : (RecoverableDays == 90 ? "" : "Customized") + "Recoverable" + (PurgeProtection ? "" : "+Purgeable");
}
