using System.Net;
using System.Net.Sockets;

namespace CertDaemon.Testbed;

/// <summary>Free loopback ports, so parallel runs never collide on fixed numbers.</summary>
public static class FreePort
{
    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it; a race with another process is possible but rare).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A port free for both TCP and UDP on 127.0.0.1 (DNS servers listen on both).</summary>
    public static int NextTcpAndUdp()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var port = Next();
            try
            {
                using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // taken for UDP: try another
            }
        }

        throw new InvalidOperationException("no loopback port free for both TCP and UDP after 50 attempts");
    }
}
