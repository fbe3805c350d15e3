using System.Text.Json;
using KvArchive.LocalVault.Auth;
using KvArchive.LocalVault.Store;

namespace KvArchive.LocalVault.Http;

/// <summary>One authenticated, routed vault request.</summary>
public sealed class VaultCall
{
    public required HttpContext Http { get; init; }

    public required Vault Vault { get; init; }

    public required VaultRoute Route { get; init; }

    public required string ApiVersion { get; init; }

    public required TokenGrant Grant { get; init; }

    /// <summary>The server clock's Unix seconds when the request was routed.</summary>
    public required long NowSeconds { get; init; }

    /// <summary>The object name of the route.</summary>
    public string Name => Route.RequiredName;

    /// <summary>Monotonic milliseconds now.</summary>
    public long NowMs => VaultClock.MonotonicMs;

    public VaultSettings Settings => Vault.Settings;

    public Task<JsonDocument> ReadBodyAsync() => RequestBody.ReadObjectAsync(Http.Request);

    public Task<JsonDocument?> TryReadBodyAsync() => RequestBody.TryReadObjectAsync(Http.Request);
}
