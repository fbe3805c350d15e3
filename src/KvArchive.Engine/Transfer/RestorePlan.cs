namespace KvArchive.Engine.Transfer;

/// <summary>What a restore would do with an entry (a plan, -WhatIf); the plan's totals count these.</summary>
internal enum RestorePlan
{
    /// <summary>Declined when asked (a "no"): nothing said what would happen.</summary>
    Declined,
    /// <summary>The name is free: restore.</summary>
    WouldRestore,
    /// <summary>The name is soft-deleted: purge it, then restore.</summary>
    WouldPurgeAndRestore,
    /// <summary>The name is being deleted or recovered: wait, then plan again.</summary>
    WouldWait,
    /// <summary>Left alone: the name exists, or the archive holds no backup of it.</summary>
    WouldSkip,
    /// <summary>The policy fails it: the name exists or is soft-deleted.</summary>
    WouldFail,
}
