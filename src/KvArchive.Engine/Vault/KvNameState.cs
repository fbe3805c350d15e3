namespace KvArchive.Engine.Vault;

/// <summary>What a name is in a vault, for planning a restore or a create.</summary>
public enum KvNameState
{
    /// <summary>No live and no deleted object of that type has the name: a restore can go ahead.</summary>
    Free,
    /// <summary>A live object has the name.</summary>
    Exists,
    /// <summary>A soft-deleted object has the name: recover or purge it first.</summary>
    SoftDeleted,
    /// <summary>A delete (or purge) is under way: the name is busy for a few seconds (writes answer 409); wait and retry.</summary>
    BeingDeleted,
    /// <summary>A recovery is under way: the object comes back shortly; wait and read it again.</summary>
    BeingRecovered,
}
