using KvArchive.Engine.Storage;

namespace KvArchive.Engine.Transfer;

/// <summary>How a restore runs.</summary>
public sealed class RestoreOptions
{
    /// <summary>The vault to restore into; null restores each entry into the vault it came from.</summary>
    public Uri? TargetVaultUri { get; init; }

    /// <summary>What to do when the name exists in the target (default: skip it).</summary>
    public ExistingObjectPolicy ExistingPolicy { get; init; } = ExistingObjectPolicy.Skip;

    /// <summary>What to do when the name is soft-deleted in the target (default: fail the entry).</summary>
    public SoftDeletedObjectPolicy SoftDeletedPolicy { get; init; } = SoftDeletedObjectPolicy.Fail;

    /// <summary>
    /// Restores the entries that verify from an archive that failed its checks; each damaged entry fails with its
    /// problem. Without it a damaged archive restores nothing (<see cref="Vault.KvErrorIds.ArchiveVerificationFailed"/>).
    /// </summary>
    public bool SkipDamagedEntries { get; init; }

    /// <summary>Entries restored at the same time (1-64).</summary>
    public int ThrottleLimit { get; init; } = TransferDefaults.ThrottleLimit;

    /// <summary>
    /// Plan only (-WhatIf): nothing is asked or changed; each entry's record says what would happen to it, in the
    /// future tense, and the errors come after the plan.
    /// </summary>
    public bool PlanOnly { get; init; }

    /// <summary>How many entries are coming, when the caller knows (for percent and time left).</summary>
    public int? ExpectedCount { get; init; }

    /// <summary>Longest wait, per entry, for a name that is being deleted, purged or recovered.</summary>
    public TimeSpan StateWaitTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>First pause while waiting for a name's state to settle; it doubles up to 5 seconds.</summary>
    public TimeSpan StateWaitInitialDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The rate control to use; pass the same instance as the observer of a client created before the session.
    /// Null: the session creates one in budget mode for Key Vault's 10-second windows (<see cref="AdaptiveRateOptions.KeyVault"/>)
    /// and passes it to the client factory.
    /// </summary>
    public AdaptiveRateLimiter? RateLimiter { get; init; }

    /// <summary>How to sign in to storage for archives given as blob URLs; null for the defaults.</summary>
    public ArchiveStorageOptions? Storage { get; init; }
}
