namespace KvArchive.Engine.Vault;

/// <summary>
/// The deletes, purges and recoveries a client started and has not yet seen finish. Key Vault runs them
/// asynchronously and reads cannot tell such a name from a free one; this memory can, for the client's own.
/// </summary>
public interface IPendingTransitions
{
    /// <summary>The client started a transition of a name.</summary>
    void Started(KvObjectType type, string name, PendingTransition transition);

    /// <summary>The client saw the transition's result.</summary>
    void Finished(KvObjectType type, string name);

    /// <summary>The unconfirmed transition of a name, or null.</summary>
    PendingTransition? Pending(KvObjectType type, string name);
}
