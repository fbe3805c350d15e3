namespace KvArchive.Engine.Vault;

/// <summary>How messages name a kind of object: the one place for "secret", "key", "certificate".</summary>
public static class KvObjectTypeText
{
    /// <summary>The word for a type in messages: "secret", "key", "certificate".</summary>
    public static string Word(this KvObjectType type) => type switch
    {
        KvObjectType.Secret => "secret",
        KvObjectType.Key => "key",
        KvObjectType.Certificate => "certificate",
        _ => "object",
    };
}
