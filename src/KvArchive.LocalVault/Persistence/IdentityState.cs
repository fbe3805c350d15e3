namespace KvArchive.LocalVault.Persistence;

/// <summary>A user-assigned identity as persisted.</summary>
public sealed class IdentityState
{
    public required string ClientId { get; set; }

    /// <summary>Null: every permission.</summary>
    public List<string>? Permissions { get; set; }
}
