using Azure.Core;

namespace KvArchive.Engine.Connection;

/// <summary>A bearer token the caller already has (-AccessToken). It is sent as is; it cannot be refreshed.</summary>
internal sealed class StaticTokenCredential(string token) : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        => new(token, ExpiresOn());

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        => new(GetToken(requestContext, cancellationToken));

    // The token's lifetime is unknown here; the vault's 401 says when it has expired.
    private static DateTimeOffset ExpiresOn() => DateTimeOffset.UtcNow.AddHours(1);
}
