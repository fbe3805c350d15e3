using KvArchive.LocalVault.Throttling;

namespace KvArchive.LocalVault.Http;

/// <summary>The permission an operation needs (as the REST reference states it) and the budget it draws on.</summary>
public static class OperationTraits
{
    private static readonly string[] SecretsDeletedRead = ["secrets/recover", "secrets/purge", "secrets/delete"];
    private static readonly string[] KeysDeletedRead = ["keys/recover", "keys/purge", "keys/delete"];
    private static readonly string[] CertificatesDeletedRead = ["certificates/recover", "certificates/purge", "certificates/delete"];

    /// <summary>
    /// The permissions that grant an operation (any one suffices; the first is named in a 403). Reading deleted
    /// objects needs recover, purge or delete (decided: as with RBAC, a reader with get and list does not see them).
    /// </summary>
    public static string[] Permissions(VaultOperation op) => Table[(int)op];

    private static readonly string[][] Table = Enum.GetValues<VaultOperation>().Select(Compute).ToArray();

    private static string[] Compute(VaultOperation op)
    {
        switch (op)
        {
            case VaultOperation.DeletedSecretList or VaultOperation.DeletedSecretGet:
                return SecretsDeletedRead;
            case VaultOperation.DeletedKeyList or VaultOperation.DeletedKeyGet:
                return KeysDeletedRead;
            case VaultOperation.DeletedCertificateList or VaultOperation.DeletedCertificateGet:
                return CertificatesDeletedRead;
            default:
                var (permission, alternative) = Permission(op);
                return alternative is null ? [permission] : [permission, alternative];
        }
    }

    private static (string Permission, string? Alternative) Permission(VaultOperation op) => op switch
    {
        VaultOperation.SecretList or VaultOperation.SecretVersions => ("secrets/list", null),
        VaultOperation.SecretGet => ("secrets/get", null),
        VaultOperation.SecretSet => ("secrets/set", null),
        VaultOperation.SecretUpdate => ("secrets/set", "secrets/update"),
        VaultOperation.SecretDelete => ("secrets/delete", null),
        VaultOperation.SecretBackup => ("secrets/backup", null),
        VaultOperation.SecretRestore => ("secrets/restore", null),
        VaultOperation.DeletedSecretPurge => ("secrets/purge", null),
        VaultOperation.DeletedSecretRecover => ("secrets/recover", null),

        VaultOperation.KeyList or VaultOperation.KeyVersions => ("keys/list", null),
        VaultOperation.KeyGet or VaultOperation.KeyRotationPolicyGet => ("keys/get", null),
        VaultOperation.KeyImport => ("keys/import", null),
        VaultOperation.KeyCreate => ("keys/create", null),
        VaultOperation.KeyRotate => ("keys/rotate", "keys/create"),
        VaultOperation.KeyUpdate or VaultOperation.KeyRotationPolicySet => ("keys/update", null),
        VaultOperation.KeyDelete => ("keys/delete", null),
        VaultOperation.KeyBackup => ("keys/backup", null),
        VaultOperation.KeyRestore => ("keys/restore", null),
        VaultOperation.DeletedKeyPurge => ("keys/purge", null),
        VaultOperation.DeletedKeyRecover => ("keys/recover", null),
        VaultOperation.KeySign => ("keys/sign", null),
        VaultOperation.KeyVerify => ("keys/verify", null),
        VaultOperation.KeyEncrypt => ("keys/encrypt", null),
        VaultOperation.KeyDecrypt => ("keys/decrypt", null),
        VaultOperation.KeyWrap => ("keys/wrapKey", null),
        VaultOperation.KeyUnwrap => ("keys/unwrapKey", null),
        VaultOperation.KeyCryptography => ("keys/get", null),

        VaultOperation.CertificateList or VaultOperation.CertificateVersions => ("certificates/list", null),
        VaultOperation.CertificateGet or VaultOperation.CertificatePendingGet or VaultOperation.CertificatePolicyGet => ("certificates/get", null),
        VaultOperation.CertificateCreate or VaultOperation.CertificatePendingMerge => ("certificates/create", null),
        VaultOperation.CertificateImport => ("certificates/import", null),
        VaultOperation.CertificateUpdate or VaultOperation.CertificatePolicyUpdate or VaultOperation.CertificatePendingUpdate or VaultOperation.CertificatePendingDelete => ("certificates/update", null),
        VaultOperation.CertificateDelete => ("certificates/delete", null),
        VaultOperation.CertificateBackup => ("certificates/backup", null),
        VaultOperation.CertificateRestore => ("certificates/restore", null),
        VaultOperation.DeletedCertificatePurge => ("certificates/purge", null),
        VaultOperation.DeletedCertificateRecover => ("certificates/recover", null),
        VaultOperation.CertificateContactsGet or VaultOperation.CertificateContactsSet or VaultOperation.CertificateContactsDelete => ("certificates/managecontacts", null),
        VaultOperation.CertificateIssuerList or VaultOperation.CertificateIssuerGet => ("certificates/getissuers", null),
        VaultOperation.CertificateIssuerSet => ("certificates/setissuers", null),
        VaultOperation.CertificateIssuerDelete => ("certificates/deleteissuers", null),

        _ => ("rng", null),
    };

    /// <summary>
    /// Whether an operation may change stored state, so that with a data directory its answer waits until the change
    /// is durable. Derived from the permission it needs: reads (get, list, backup, reading deleted objects, issuers'
    /// reads, cryptographic operations, random bytes) change nothing; any other permission may. A new operation is
    /// covered by its permission, and one wrongly taken as mutating only waits for a journal flush it did not need.
    /// </summary>
    public static bool Mutates(VaultOperation op) => MutatesTable[(int)op];

    private static readonly HashSet<string> ReadVerbs = new(StringComparer.OrdinalIgnoreCase)
    {
        "get", "list", "backup", "getissuers", "listissuers", "sign", "verify", "encrypt", "decrypt", "wrapKey", "unwrapKey", "release", "rng",
    };

    private static readonly bool[] MutatesTable = Enum.GetValues<VaultOperation>().Select(ComputeMutates).ToArray();

    private static bool ComputeMutates(VaultOperation op)
    {
        if (op is VaultOperation.DeletedSecretList or VaultOperation.DeletedSecretGet or VaultOperation.DeletedKeyList
            or VaultOperation.DeletedKeyGet or VaultOperation.DeletedCertificateList or VaultOperation.DeletedCertificateGet)
        {
            return false;
        }

        var permission = Compute(op)[0];
        var verb = permission[(permission.IndexOf('/', StringComparison.Ordinal) + 1)..];
        return !ReadVerbs.Contains(verb);
    }

    /// <summary>The budget of an operation (key creates are refined by key type in the handler).</summary>
    public static BudgetKind Budget(VaultOperation op) => op switch
    {
        VaultOperation.SecretSet => BudgetKind.SecretSet,
        VaultOperation.KeyCreate or VaultOperation.KeyRotate => BudgetKind.KeyCreate,
        _ => BudgetKind.General,
    };
}
