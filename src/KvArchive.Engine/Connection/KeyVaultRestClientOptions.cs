using Azure.Core;

namespace KvArchive.Engine.Connection;

/// <summary>Options of the engine's own REST pipeline (keys), configured like the SDK clients' options.</summary>
internal sealed class KeyVaultRestClientOptions : ClientOptions
{
}
