using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Certificates;
using Azure.Security.KeyVault.Secrets;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Connection;

/// <summary>
/// Builds an <see cref="IVaultClient"/>: one socket handler and HttpClient per vault, shared by the SecretClient,
/// the CertificateClient, the keys REST pipeline and the credential; retries and the request observer on each.
/// Create one client per vault per command invocation, never per call.
/// </summary>
public static class VaultClientFactory
{
    /// <summary>Connects to a vault (no request is sent until the first call).</summary>
    /// <param name="options">Where the vault is and how to authenticate.</param>
    /// <param name="observer">Sees every response status, including retried ones and transport failures (0); null for none.</param>
    /// <returns>The vault's client; it also implements <see cref="IDisposable"/>: dispose it when the command ends.</returns>
    /// <exception cref="KvException">The URI is not a vault (InvalidArgument/<see cref="KvErrorIds.InvalidVault"/>), the
    /// trusted certificate cannot be read, or the credential lacks a parameter.</exception>
    public static IVaultClient Create(VaultConnectionOptions options, IRequestObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var vaultUri = VaultAddress.Normalize(options.VaultUri);
        var vault = new VaultIdentity(vaultUri, VaultAddress.GetVaultName(vaultUri));
        var extraRoot = TrustedRoot.Load(vaultUri, options.TrustedCertificatePath);

        var http = new HttpClient(VaultHttpHandler.Create(extraRoot), disposeHandler: true)
        {
            // Azure.Core applies its own per-attempt timeout (RetryOptions.NetworkTimeout).
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var connection = new Connection(http, extraRoot);
        try
        {
            var transport = new HttpClientTransport(http);
            var credential = CredentialFactory.Create(options, transport);

            var secretClient = new SecretClient(
                vaultUri,
                credential,
                VaultPipeline.Configure(new SecretClientOptions(SecretClientOptions.ServiceVersion.V2026_04_01), options, transport, observer));
            var certificateClient = new CertificateClient(
                vaultUri,
                credential,
                VaultPipeline.Configure(new CertificateClientOptions(CertificateClientOptions.ServiceVersion.V2026_04_01), options, transport, observer));
            var restOptions = VaultPipeline.Configure(new KeyVaultRestClientOptions(), options, transport, observer);
            var pipeline = HttpPipelineBuilder.Build(
                restOptions,
                Array.Empty<HttpPipelinePolicy>(),
                new HttpPipelinePolicy[] { new KeyVaultChallengePolicy(credential, vaultUri) },
                new ResponseClassifier());
            var rest = new VaultRestClient(pipeline, vault);

            return new KeyVaultClient(
                vault,
                new SecretStore(secretClient, rest),
                new KeyRestStore(rest),
                new CertificateStore(certificateClient, vault),
                options,
                connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Owns what a vault client holds open.</summary>
    private sealed class Connection(HttpClient http, IDisposable? extraRoot) : IDisposable
    {
        public void Dispose()
        {
            http.Dispose();
            extraRoot?.Dispose();
        }
    }
}
