using KvArchive.LocalVault.Http;

namespace KvArchive.LocalVault.Endpoints;

/// <summary>/certificates and /deletedcertificates.</summary>
public sealed class CertificateEndpoints(SecretEndpoints secrets, KeyEndpoints keys)
{
    public Task HandleAsync(VaultCall call) => throw new VaultErrorException(501, "NotImplemented", "Certificates are not implemented yet: " + secrets.GetType().Name + keys.GetType().Name);
}
