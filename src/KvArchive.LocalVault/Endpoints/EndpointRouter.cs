using KvArchive.LocalVault.Http;

namespace KvArchive.LocalVault.Endpoints;

/// <summary>Hands a routed call to the endpoints of its kind.</summary>
public sealed class EndpointRouter(SecretEndpoints secrets, KeyEndpoints keys, CertificateEndpoints certificates)
{
    public Task HandleAsync(VaultCall call) => call.Route.Operation switch
    {
        >= VaultOperation.SecretList and <= VaultOperation.DeletedSecretRecover => secrets.HandleAsync(call),
        >= VaultOperation.KeyList and <= VaultOperation.DeletedKeyRecover => keys.HandleAsync(call),
        >= VaultOperation.CertificateList and <= VaultOperation.DeletedCertificateRecover => certificates.HandleAsync(call),
        VaultOperation.RandomBytes => keys.HandleAsync(call),
        _ => throw VaultErrors.RouteNotFound(call.Http.Request.Path.Value ?? "/"),
    };
}
