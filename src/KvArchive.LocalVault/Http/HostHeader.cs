
namespace KvArchive.LocalVault.Http;

/// <summary>The host name of a request's Host header, without port, without allocating.</summary>
public static class HostHeader
{
    public static ReadOnlySpan<char> HostName(HttpRequest request)
    {
        var raw = request.Headers.Host.ToString().AsSpan();
        var colon = raw.LastIndexOf(':');
        if (colon >= 0 && raw.LastIndexOf(']') < colon)
        {
            raw = raw[..colon];
        }

        return raw;
    }
}
