using Azure.Core;
using Azure.Core.Pipeline;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Connection;

/// <summary>
/// Key Vault's challenge-based bearer authentication for pipelines the engine builds itself (the keys REST API).
/// The first request goes out without a token and without its body; the vault answers 401 with a
/// <c>WWW-Authenticate</c> challenge naming the resource; the resource host is checked against the vault host (the
/// vault host must end with "." + resource host, so a token is never sent to a look-alike); the body is put back and
/// the request is re-sent with a token for <c>{resource}/.default</c>. The scope is then cached for this vault.
/// </summary>
internal sealed class KeyVaultChallengePolicy : BearerTokenAuthenticationPolicy
{
    private const string HeldContentProperty = "KvArchive.HeldContent";
    private readonly string _vaultHost;
    private volatile ChallengeScope? _scope;

    public KeyVaultChallengePolicy(TokenCredential credential, Uri vaultUri)
        : base(credential, Array.Empty<string>())
    {
        _vaultHost = vaultUri.Host;
    }

    /// <summary>The scope learnt from the vault's challenge, or null before the first challenge.</summary>
    public string? Scope => _scope?.Scope;

    protected override ValueTask AuthorizeRequestAsync(HttpMessage message)
    {
        var scope = _scope;
        if (scope is not null)
        {
            RestoreContent(message);
            return AuthenticateAndAuthorizeRequestAsync(message, scope.Context(message));
        }

        HoldContent(message);
        return default;
    }

    protected override void AuthorizeRequest(HttpMessage message)
    {
        var scope = _scope;
        if (scope is not null)
        {
            RestoreContent(message);
            AuthenticateAndAuthorizeRequest(message, scope.Context(message));
            return;
        }

        HoldContent(message);
    }

    protected override async ValueTask<bool> AuthorizeRequestOnChallengeAsync(HttpMessage message)
    {
        var scope = OnChallenge(message);
        if (scope is null)
        {
            return false;
        }

        await AuthenticateAndAuthorizeRequestAsync(message, scope.Context(message)).ConfigureAwait(false);
        return true;
    }

    protected override bool AuthorizeRequestOnChallenge(HttpMessage message)
    {
        var scope = OnChallenge(message);
        if (scope is null)
        {
            return false;
        }

        AuthenticateAndAuthorizeRequest(message, scope.Context(message));
        return true;
    }

    /// <summary>Whether a vault host may receive tokens for a challenge's resource.</summary>
    internal static bool ResourceMatchesVault(string vaultHost, string resource)
    {
        if (!Uri.TryCreate(resource, UriKind.Absolute, out var resourceUri) || string.IsNullOrEmpty(resourceUri.Host))
        {
            return false;
        }

        return vaultHost.EndsWith("." + resourceUri.Host, StringComparison.OrdinalIgnoreCase);
    }

    private static void HoldContent(HttpMessage message)
    {
        // Without a token the vault will answer 401; the body need not travel until we know where it may go.
        if (message.Request.Content is { } content)
        {
            message.SetProperty(HeldContentProperty, new HeldContent(content));
            message.Request.Content = null;
        }
    }

    private static void RestoreContent(HttpMessage message)
    {
        // A retry of a first request (e.g. after a 503) may reach here after another request learnt the scope.
        if (message.TryGetProperty(HeldContentProperty, out var value) && value is HeldContent { Content: { } content } held)
        {
            message.Request.Content = content;
            held.Content = null;
        }
    }

    private ChallengeScope? OnChallenge(HttpMessage message)
    {
        RestoreContent(message);
        message.Response.Headers.TryGetValue("WWW-Authenticate", out var header);
        var challenge = AuthenticationChallenge.ParseBearer(header);
        if (challenge?.Scope is not { } scope || challenge.Resource is not { } resource)
        {
            return null;
        }

        if (!ResourceMatchesVault(_vaultHost, resource))
        {
            throw new KvException(
                KvErrorKind.Unauthenticated,
                KvErrorIds.Unauthenticated,
                $"The vault at {_vaultHost} asked for a token for '{resource}', which is not the resource of that host; no token was sent.");
        }

        var learnt = new ChallengeScope(scope, challenge.TenantId);
        _scope = learnt;
        return learnt;
    }

    private sealed class HeldContent(RequestContent content)
    {
        public RequestContent? Content { get; set; } = content;
    }

    private sealed class ChallengeScope(string scope, string? tenantId)
    {
        public string Scope { get; } = scope;

        public TokenRequestContext Context(HttpMessage message)
            => new(new[] { Scope }, message.Request.ClientRequestId, claims: null, tenantId: tenantId);
    }
}
