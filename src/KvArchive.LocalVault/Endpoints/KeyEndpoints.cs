using KvArchive.LocalVault.Http;

namespace KvArchive.LocalVault.Endpoints;

/// <summary>/keys and /deletedkeys.</summary>
public sealed class KeyEndpoints
{
    public Task HandleAsync(VaultCall call) => throw new VaultErrorException(501, "NotImplemented", "Keys are not implemented yet.");
}
