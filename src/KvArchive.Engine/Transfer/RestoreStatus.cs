namespace KvArchive.Engine.Transfer;

/// <summary>What happened to one archive entry in a restore.</summary>
public enum RestoreStatus
{
    /// <summary>Restored into the target vault, every version.</summary>
    Restored,
    /// <summary>Left alone on purpose (the name exists and the policy is Skip, or the archive holds no blob).</summary>
    Skipped,
    /// <summary>Not restored; an error was written.</summary>
    Failed,
    /// <summary>ShouldProcess declined (-WhatIf or a "no"): the record's reason is the plan; nothing changed.</summary>
    Planned,
}
