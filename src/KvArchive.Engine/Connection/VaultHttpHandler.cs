using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace KvArchive.Engine.Connection;

/// <summary>The one socket handler behind every client of a vault (secrets, certificates, keys, credential).</summary>
internal static class VaultHttpHandler
{
    /// <summary>
    /// A handler that connects <c>localhost</c>/<c>*.localhost</c> to 127.0.0.1 and accepts an untrusted chain only
    /// for loopback hosts whose chain ends in <paramref name="extraRoot"/>.
    /// </summary>
    public static SocketsHttpHandler Create(X509Certificate2? extraRoot) => new()
    {
        // Transfers run many requests at once against one host; the default of int.MaxValue is fine, but keep the
        // pool fresh so DNS changes (failover) are seen.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        ConnectTimeout = TimeSpan.FromSeconds(20),
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectCallback = ConnectAsync,
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
                ServerCertificatePolicy.IsTrusted(HostOf(sender), certificate, chain, errors, extraRoot),
        },
    };

    private static string HostOf(object sender) => sender is SslStream stream ? stream.TargetHostName : string.Empty;

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endPoint = context.DnsEndPoint;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (LoopbackHost.IsLocalhostName(endPoint.Host))
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, endPoint.Port), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            }

            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
