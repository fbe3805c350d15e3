namespace KvArchive.LocalVault.Store;

/// <summary>What differs between secrets, keys and certificates in paths, messages and error codes.</summary>
public sealed class ObjectKind
{
    public static readonly ObjectKind Secret = new("Secret", "secret", "secrets", "deletedsecrets", "SecretNotFound");
    public static readonly ObjectKind Key = new("Key", "key", "keys", "deletedkeys", "KeyNotFound");
    public static readonly ObjectKind Certificate = new("Certificate", "certificate", "certificates", "deletedcertificates", "CertificateNotFound");

    private ObjectKind(string title, string lower, string collection, string deletedCollection, string notFoundCode)
    {
        Title = title;
        Lower = lower;
        Collection = collection;
        DeletedCollection = deletedCollection;
        NotFoundCode = notFoundCode;
    }

    /// <summary>"Secret".</summary>
    public string Title { get; }

    /// <summary>"secret".</summary>
    public string Lower { get; }

    /// <summary>"secrets" (path segment and permission prefix).</summary>
    public string Collection { get; }

    /// <summary>"deletedsecrets".</summary>
    public string DeletedCollection { get; }

    /// <summary>"SecretNotFound".</summary>
    public string NotFoundCode { get; }

    public override string ToString() => Lower;
}
