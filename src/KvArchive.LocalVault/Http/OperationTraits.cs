using KvArchive.LocalVault.Throttling;

namespace KvArchive.LocalVault.Http;

/// <summary>The permission an operation needs (as the REST reference states it) and the budget it draws on.</summary>
public static class OperationTraits
{
    /// <summary>The permission name, and an alternative that also grants it (null: none).</summary>
    public static (string Permission, string? Alternative) Permission(VaultOperation op) => op switch
    {
        VaultOperation.SecretList or VaultOperation.SecretVersions or VaultOperation.DeletedSecretList => ("secrets/list", null),
        VaultOperation.SecretGet or VaultOperation.DeletedSecretGet => ("secrets/get", null),
        VaultOperation.SecretSet => ("secrets/set", null),
        VaultOperation.SecretUpdate => ("secrets/set", "secrets/update"),
        VaultOperation.SecretDelete => ("secrets/delete", null),
        VaultOperation.SecretBackup => ("secrets/backup", null),
        VaultOperation.SecretRestore => ("secrets/restore", null),
        VaultOperation.DeletedSecretPurge => ("secrets/purge", null),
        VaultOperation.DeletedSecretRecover => ("secrets/recover", null),

        VaultOperation.KeyList or VaultOperation.KeyVersions or VaultOperation.DeletedKeyList => ("keys/list", null),
        VaultOperation.KeyGet or VaultOperation.DeletedKeyGet or VaultOperation.KeyRotationPolicyGet => ("keys/get", null),
        VaultOperation.KeyImport => ("keys/import", null),
        VaultOperation.KeyCreate => ("keys/create", null),
        VaultOperation.KeyRotate => ("keys/rotate", "keys/create"),
        VaultOperation.KeyUpdate or VaultOperation.KeyRotationPolicySet => ("keys/update", null),
        VaultOperation.KeyDelete => ("keys/delete", null),
        VaultOperation.KeyBackup => ("keys/backup", null),
        VaultOperation.KeyRestore => ("keys/restore", null),
        VaultOperation.DeletedKeyPurge => ("keys/purge", null),
        VaultOperation.DeletedKeyRecover => ("keys/recover", null),
        VaultOperation.KeyCryptography => ("keys/get", null),

        VaultOperation.CertificateList or VaultOperation.CertificateVersions or VaultOperation.DeletedCertificateList => ("certificates/list", null),
        VaultOperation.CertificateGet or VaultOperation.DeletedCertificateGet or VaultOperation.CertificatePendingGet or VaultOperation.CertificatePolicyGet => ("certificates/get", null),
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

    /// <summary>The budget of an operation (key creates are refined by key type in the handler).</summary>
    public static BudgetKind Budget(VaultOperation op) => op switch
    {
        VaultOperation.SecretSet => BudgetKind.SecretSet,
        VaultOperation.KeyCreate or VaultOperation.KeyRotate => BudgetKind.KeyCreate,
        _ => BudgetKind.General,
    };
}
