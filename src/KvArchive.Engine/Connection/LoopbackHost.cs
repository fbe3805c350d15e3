using System.Net;

namespace KvArchive.Engine.Connection;

/// <summary>
/// Which hosts are this machine. RFC 6761 reserves <c>localhost</c> and <c>*.localhost</c> for loopback, but DNS
/// here does not resolve them, so the engine connects them to 127.0.0.1 itself; only these hosts may be trusted
/// through an extra root (LocalVault's certificate).
/// </summary>
internal static class LoopbackHost
{
    /// <summary>True for <c>localhost</c> and <c>*.localhost</c> (names the engine maps to 127.0.0.1 itself).</summary>
    public static bool IsLocalhostName(string host)
    {
        host = host.TrimEnd('.');
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True for localhost names and loopback addresses (127.0.0.0/8, ::1).</summary>
    public static bool IsLoopback(string host)
    {
        if (IsLocalhostName(host))
        {
            return true;
        }

        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        return IPAddress.TryParse(bare, out var address) && IPAddress.IsLoopback(address);
    }
}
