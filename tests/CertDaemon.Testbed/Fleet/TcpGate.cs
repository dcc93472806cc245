using System.Net;
using System.Net.Sockets;

namespace CertDaemon.Testbed.Fleet;

/// <summary>
/// A loopback TCP forwarder in front of a server (moto's S3) that a test can close and open again: while closed,
/// new connections are refused and open ones are cut, as when a network path or the service goes away; the server
/// behind keeps its data. Disposing stops it.
/// </summary>
public sealed class TcpGate : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<TcpClient> _open = [];
    private TcpListener? _listener;
    private Task _accepting = Task.CompletedTask;

    private TcpGate(int port, IPEndPoint target)
    {
        Port = port;
        _target = target;
    }

    public int Port { get; }

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri Endpoint => new($"http://127.0.0.1:{Port}/");

    public bool IsOpen => _listener is not null;

    /// <summary>Starts an open gate on a free port forwarding to <paramref name="target"/>.</summary>
    public static TcpGate Start(Uri target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var gate = new TcpGate(FreePort.Next(), new IPEndPoint(IPAddress.Loopback, target.Port));
        gate.Open();
        return gate;
    }

    /// <summary>Accepts connections again (on the same port).</summary>
    public void Open()
    {
        if (_listener is not null)
        {
            return;
        }

        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _accepting = AcceptAsync(listener);
    }

    /// <summary>Refuses new connections and resets every open one.</summary>
    public async Task CloseAsync()
    {
        var listener = _listener;
        if (listener is null)
        {
            return;
        }

        _listener = null;
        listener.Stop();
        await _accepting.ConfigureAwait(false);
        lock (_open)
        {
            foreach (var client in _open)
            {
                client.Client.LingerState = new LingerOption(true, 0);
                client.Dispose();
            }

            _open.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        await _stopping.CancelAsync();
        _stopping.Dispose();
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                return; // closed
            }

            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        var upstream = new TcpClient();
        lock (_open)
        {
            _open.Add(client);
            _open.Add(upstream);
        }

        try
        {
            await upstream.ConnectAsync(_target, _stopping.Token);
            var a = client.GetStream();
            var b = upstream.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, _stopping.Token), b.CopyToAsync(a, _stopping.Token));
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The gate was closed or a side hung up: the connection ends, which is the point.
        }
        finally
        {
            lock (_open)
            {
                _open.Remove(client);
                _open.Remove(upstream);
            }

            client.Dispose();
            upstream.Dispose();
        }
    }
}
