using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using KvArchive.Engine.Connection;
using KvArchive.Engine.Vault;

namespace KvArchive.Engine.Tests.Connection;

/// <summary>
/// The keys REST pipeline's challenge authentication, against a scripted HTTP handler so that every header and body
/// on the wire can be checked (the LocalVault round trip is in KeyVaultTests).
/// </summary>
[Trait("Category", "Unit")]
public sealed class ChallengePolicyTests
{
    private static readonly Uri Vault = new("https://prod.vault.azure.net/");

    [Fact]
    public async Task First_request_goes_without_token_and_body_then_with_both_for_the_challenged_resource()
    {
        var handler = new ScriptedHandler("Bearer authorization=\"https://login.microsoftonline.com/tenant-1\", resource=\"https://vault.azure.net\"");
        var credential = new RecordingCredential();
        var store = KeyStore(handler, credential);

        var created = await store.CreateAsync("k1", new KvKeyCreateOptions { KeyType = "EC", CurveName = "P-256" }, default);
        Assert.Equal("k1", created.Name);
        Assert.Equal("EC", created.KeyType);
        Assert.Equal("P-256", created.CurveName);

        Assert.Equal(2, handler.Requests.Count);
        var probe = handler.Requests[0];
        Assert.Null(probe.Authorization);
        Assert.Equal(string.Empty, probe.Body);
        Assert.Equal("https://prod.vault.azure.net/keys/k1/create?api-version=2026-04-01", probe.Uri);

        var real = handler.Requests[1];
        Assert.Equal("Bearer tok", real.Authorization);
        Assert.Contains("\"kty\":\"EC\"", real.Body, StringComparison.Ordinal);
        Assert.Contains("\"crv\":\"P-256\"", real.Body, StringComparison.Ordinal);

        var context = Assert.Single(credential.Contexts);
        Assert.Equal(new[] { "https://vault.azure.net/.default" }, context.Scopes);
        Assert.Equal("tenant-1", context.TenantId);

        // The scope is cached: the next call carries the token at once.
        await store.GetAsync("k1", null, default);
        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal("Bearer tok", handler.Requests[2].Authorization);
        Assert.Equal("https://prod.vault.azure.net/keys/k1/?api-version=2026-04-01", handler.Requests[2].Uri);
    }

    [Fact]
    public async Task A_challenge_for_another_resource_gets_no_token()
    {
        var handler = new ScriptedHandler("Bearer authorization=\"https://login.microsoftonline.com/t\", resource=\"https://vault.evil.example\"");
        var credential = new RecordingCredential();
        var store = KeyStore(handler, credential);

        var e = await Assert.ThrowsAsync<KvException>(() => store.GetAsync("k1", null, default));
        Assert.Equal(KvErrorKind.Unauthenticated, e.Kind);
        Assert.Contains("https://vault.evil.example", e.Message, StringComparison.Ordinal);
        Assert.Empty(credential.Contexts);
        Assert.Single(handler.Requests);
    }

    [Theory]
    [InlineData("prod.vault.azure.net", "https://vault.azure.net", true)]
    [InlineData("prod.vault.azure.net", "https://vault.azure.net/", true)]
    [InlineData("prod.vault.localhost", "https://vault.localhost", true)]
    [InlineData("prod.vault.azure.cn", "https://vault.azure.cn", true)]
    [InlineData("prodvault.azure.net", "https://vault.azure.net", false)]
    [InlineData("prod.vault.azure.net.evil.example", "https://vault.azure.net", false)]
    [InlineData("localhost", "https://vault.localhost", false)]
    [InlineData("prod.vault.azure.net", "not a uri", false)]
    public void The_vault_host_must_end_with_the_resource_host(string host, string resource, bool ok)
        => Assert.Equal(ok, KeyVaultChallengePolicy.ResourceMatchesVault(host, resource));

    [Fact]
    public void Challenges_are_parsed_in_their_shapes()
    {
        var classic = AuthenticationChallenge.ParseBearer("Bearer authorization=\"https://login.microsoftonline.com/72f988bf\", resource=\"https://vault.azure.net\"")!;
        Assert.Equal("https://vault.azure.net/.default", classic.Scope);
        Assert.Equal("72f988bf", classic.TenantId);

        var old = AuthenticationChallenge.ParseBearer("Bearer authorization_uri=\"https://login.windows.net/abc\", resource=\"https://vault.azure.net/\"")!;
        Assert.Equal("https://vault.azure.net/.default", old.Scope);
        Assert.Equal("abc", old.TenantId);

        var scoped = AuthenticationChallenge.ParseBearer("PoP nonce=\"x\", Bearer authorization=\"https://login.microsoftonline.com/t\", scope=\"https://vault.azure.net/.default\"")!;
        Assert.Equal("https://vault.azure.net/.default", scoped.Scope);

        Assert.Null(AuthenticationChallenge.ParseBearer("Basic realm=\"x\""));
        Assert.Null(AuthenticationChallenge.ParseBearer(null));
        Assert.Null(AuthenticationChallenge.ParseBearer("Bearer realm=\"x\"")!.Scope);
    }

    private static KeyRestStore KeyStore(ScriptedHandler handler, TokenCredential credential)
    {
        var options = new KeyVaultRestClientOptions { Transport = new HttpClientTransport(new HttpClient(handler)) };
        options.Retry.MaxRetries = 0;
        var pipeline = HttpPipelineBuilder.Build(options, Array.Empty<HttpPipelinePolicy>(), new HttpPipelinePolicy[] { new KeyVaultChallengePolicy(credential, Vault) }, new ResponseClassifier());
        return new KeyRestStore(new VaultRestClient(pipeline, new VaultIdentity(Vault, "prod")));
    }

    private sealed record Seen(string Uri, string? Authorization, string Body);

    /// <summary>Answers a request without a token with 401 and the challenge, and any other with a key bundle.</summary>
    private sealed class ScriptedHandler(string challenge) : HttpMessageHandler
    {
        private readonly ConcurrentQueue<Seen> _seen = new();

        public IReadOnlyList<Seen> Requests => _seen.ToArray();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
            var authorization = request.Headers.Authorization?.ToString();
            _seen.Enqueue(new Seen(request.RequestUri!.AbsoluteUri, authorization, body));
            if (authorization is null)
            {
                var unauthorized = new HttpResponseMessage(HttpStatusCode.Unauthorized)
                {
                    Content = new StringContent("{\"error\":{\"code\":\"Unauthorized\",\"message\":\"AKV10000: Request is missing a Bearer or PoP token.\"}}", Encoding.UTF8, "application/json"),
                };
                unauthorized.Headers.TryAddWithoutValidation("WWW-Authenticate", challenge);
                return unauthorized;
            }

            var version = "0123456789abcdef0123456789abcdef";
            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent(
                    $"{{\"key\":{{\"kid\":\"https://prod.vault.azure.net/keys/k1/{version}\",\"kty\":\"EC\",\"crv\":\"P-256\"}},\"attributes\":{{\"enabled\":true,\"created\":1700000000,\"updated\":1700000000,\"recoveryLevel\":\"Recoverable+Purgeable\",\"recoverableDays\":90}},\"tags\":{{}}}}",
                    Encoding.UTF8,
                    "application/json"),
            };
        }
    }

    private sealed class RecordingCredential : TokenCredential
    {
        private readonly ConcurrentQueue<TokenRequestContext> _contexts = new();

        public IReadOnlyList<TokenRequestContext> Contexts => _contexts.ToArray();

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            _contexts.Enqueue(requestContext);
            return new AccessToken("tok", DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
            => new(GetToken(requestContext, cancellationToken));
    }
}
