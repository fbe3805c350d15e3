using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Connection;

/// <summary>Creates the client of one vault for one command invocation (a seam for hosts and tests).</summary>
public interface IVaultClientFactory
{
    /// <summary>Connects to a vault (no request is sent until the first call).</summary>
    /// <param name="options">Where the vault is and how to authenticate.</param>
    /// <param name="observer">Sees every response status, including retried ones; null for none.</param>
    /// <returns>The vault's client; it also implements <see cref="IDisposable"/>: dispose it when the command ends.</returns>
    IVaultClient Create(VaultConnectionOptions options, IRequestObserver? observer = null);
}
