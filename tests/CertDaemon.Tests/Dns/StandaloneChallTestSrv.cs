using System.Net.Sockets;
using CertDaemon.Testbed;
using CertDaemon.Testbed.Pebble;

namespace CertDaemon.Tests.Dns;

/// <summary>A pebble-challtestsrv DNS server alone (no pebble), on free loopback ports: a stand-in authoritative nameserver.</summary>
internal sealed class StandaloneChallTestSrv : IAsyncDisposable
{
    private readonly ManagedProcess _process;
    private readonly HttpClient _http = new();

    private StandaloneChallTestSrv(ManagedProcess process, int dnsPort, int managementPort)
    {
        _process = process;
        DnsPort = dnsPort;
        Client = new ChallTestSrvClient(_http, new Uri($"http://127.0.0.1:{managementPort}/"));
    }

    public int DnsPort { get; }

    /// <summary><c>127.0.0.1:PORT</c>, as <c>Dns.Nameservers</c> takes it and as messages name it.</summary>
    public string Endpoint => $"127.0.0.1:{DnsPort}";

    public ChallTestSrvClient Client { get; }

    public string Logs => _process.Output;

    public static async Task<StandaloneChallTestSrv> StartAsync()
    {
        var dnsPort = FreePort.NextTcpAndUdp();
        var managementPort = FreePort.Next();
        var process = ManagedProcess.Start(
            "challtestsrv",
            "pebble-challtestsrv",
            ["-management", $"127.0.0.1:{managementPort}", "-dns01", $"127.0.0.1:{dnsPort}", "-http01", "", "-https01", "", "-tlsalpn01", ""]);
        var server = new StandaloneChallTestSrv(process, dnsPort, managementPort);
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(20);
        while (!await CanConnectAsync(managementPort) || !await CanConnectAsync(dnsPort))
        {
            if (process.HasExited || TimeProvider.System.GetUtcNow() > deadline)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"challtestsrv did not start:\n{process.Output}");
            }

            await Task.Delay(25);
        }

        return server;
    }

    private static async Task<bool> CanConnectAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _http.Dispose();
    }
}

/// <summary>Two independent challtestsrv instances for a test class: two "authoritative nameservers".</summary>
public sealed class TwoNameserversFixture : IAsyncLifetime
{
    internal StandaloneChallTestSrv First { get; private set; } = null!;

    internal StandaloneChallTestSrv Second { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        First = await StandaloneChallTestSrv.StartAsync();
        Second = await StandaloneChallTestSrv.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await First.DisposeAsync();
        await Second.DisposeAsync();
    }
}
