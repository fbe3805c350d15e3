namespace KvArchive.Engine.Transfer;

/// <summary>What an archived object's name is in the target vault, as the restore plan sees it.</summary>
internal enum TargetNameState
{
    /// <summary>Nothing has the name: restore.</summary>
    Free,
    /// <summary>A live object has the name.</summary>
    Exists,
    /// <summary>A soft-deleted object has the name.</summary>
    SoftDeleted,
    /// <summary>A delete, purge or recovery is under way (the service answers 409): wait.</summary>
    Busy,
}
