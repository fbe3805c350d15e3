using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace KvArchive.LocalVault.Auth;

/// <summary>
/// Issues and checks bearer tokens: <c>lv1.{payload}.{HMAC-SHA256}</c>, signed with this process's key (or the
/// data directory's, so tokens survive a restart). Expiry is real time, not the settable clock, so moving the
/// clock for purge dates never logs clients out.
/// </summary>
public sealed class TokenService(byte[] signingKey)
{
    private const string Prefix = "lv1.";
    private const int MaxCached = 50_000;

    private readonly byte[] _key = signingKey;
    private readonly ConcurrentDictionary<string, TokenGrant> _cache = new(StringComparer.Ordinal);

    public (string Token, long ExpiresOn) Issue(string identity, IReadOnlyCollection<string>? permissions, int lifetimeSeconds)
    {
        var expiresOn = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + lifetimeSeconds;
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("sub", identity);
            if (permissions is null)
            {
                w.WriteNull("perm");
            }
            else
            {
                w.WriteStartArray("perm");
                foreach (var p in permissions)
                {
                    w.WriteStringValue(p);
                }

                w.WriteEndArray();
            }

            w.WriteNumber("exp", expiresOn);
            w.WriteString("jti", Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant());
            w.WriteEndObject();
        }

        var signed = Prefix + Base64Url.EncodeToString(stream.ToArray());
        return (signed + "." + Base64Url.EncodeToString(Sign(signed)), expiresOn);
    }

    /// <summary>The grant of a valid, unexpired token; null otherwise.</summary>
    public TokenGrant? Validate(string token)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (_cache.TryGetValue(token, out var cached))
        {
            return cached.ExpiresOn > now ? cached : null;
        }

        var grant = Parse(token);
        if (grant is null || grant.ExpiresOn <= now)
        {
            return null;
        }

        if (_cache.Count >= MaxCached)
        {
            _cache.Clear();
        }

        _cache[token] = grant;
        return grant;
    }

    /// <summary>The token of an "Authorization: Bearer …" header value, or null.</summary>
    public static string? BearerToken(string? authorization)
    {
        const string scheme = "Bearer ";
        if (authorization is null || authorization.Length <= scheme.Length || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = authorization[scheme.Length..].Trim();
        return token.Length == 0 ? null : token;
    }

    private TokenGrant? Parse(string token)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var dot = token.LastIndexOf('.');
        if (dot <= Prefix.Length)
        {
            return null;
        }

        var signed = token[..dot];
        byte[] signature;
        byte[] payload;
        try
        {
            signature = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
            payload = Base64Url.DecodeFromChars(signed.AsSpan(Prefix.Length));
        }
        catch (FormatException)
        {
            return null;
        }

        if (!CryptographicOperations.FixedTimeEquals(signature, Sign(signed)))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            var perm = root.GetProperty("perm");
            var permissions = perm.ValueKind == JsonValueKind.Array
                ? PermissionSet.From(perm.EnumerateArray().Select(p => p.GetString() ?? ""))
                : PermissionSet.All;
            return new TokenGrant(root.GetProperty("sub").GetString() ?? "", permissions, root.GetProperty("exp").GetInt64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private byte[] Sign(string signed) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(signed));
}
