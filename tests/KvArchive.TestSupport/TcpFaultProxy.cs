using System.Net;
using System.Net.Sockets;

namespace KvArchive.TestSupport;

/// <summary>
/// A TCP proxy on a free loopback port in front of a server (Azurite cannot inject faults): it counts the bytes each way
/// and can drop a connection (reset, as a network failure does) once a number of request bytes went through it.
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _upstream;
    private long _downstream;
    private long _dropAfter = -1;
    private int _drops;
    private int _connections;

    /// <summary>Starts forwarding 127.0.0.1:<see cref="Port"/> to 127.0.0.1:<paramref name="targetPort"/>.</summary>
    public TcpFaultProxy(int targetPort)
    {
        _target = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>The proxy's port.</summary>
    public int Port { get; }

    /// <summary>Bytes sent by clients (requests).</summary>
    public long UpstreamBytes => Interlocked.Read(ref _upstream);

    /// <summary>Bytes sent back by the server (responses).</summary>
    public long DownstreamBytes => Interlocked.Read(ref _downstream);

    /// <summary>Connections dropped so far.</summary>
    public int Drops => Volatile.Read(ref _drops);

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Resets the byte counters.</summary>
    public void ResetCounters()
    {
        Interlocked.Exchange(ref _upstream, 0);
        Interlocked.Exchange(ref _downstream, 0);
    }

    /// <summary>Drops one connection once <paramref name="bytes"/> more request bytes have gone through (once).</summary>
    public void DropOnceAfter(long bytes) => Interlocked.Exchange(ref _dropAfter, UpstreamBytes + bytes);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
                using var link = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var up = PumpAsync(client, server, upstream: true, link);
                var down = PumpAsync(server, client, upstream: false, link);
                await Task.WhenAny(up, down);
                await link.CancelAsync();
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The connection ended.
            }
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, bool upstream, CancellationTokenSource link)
    {
        var buffer = new byte[64 * 1024];
        var source = from.GetStream();
        var target = to.GetStream();
        try
        {
            while (true)
            {
                var n = await source.ReadAsync(buffer, link.Token);
                if (n == 0)
                {
                    return;
                }

                if (upstream)
                {
                    var total = Interlocked.Add(ref _upstream, n);
                    var dropAt = Interlocked.Read(ref _dropAfter);
                    if (dropAt >= 0 && total >= dropAt && Interlocked.CompareExchange(ref _dropAfter, -1, dropAt) == dropAt)
                    {
                        Interlocked.Increment(ref _drops);
                        from.Client.LingerState = new LingerOption(true, 0);
                        to.Client.LingerState = new LingerOption(true, 0);
                        from.Client.Close();
                        to.Client.Close();
                        return;
                    }
                }
                else
                {
                    Interlocked.Add(ref _downstream, n);
                }

                await target.WriteAsync(buffer.AsMemory(0, n), link.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Either side closed.
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
