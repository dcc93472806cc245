using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertDaemon.Deployment.Nginx;
using CertDaemon.Testbed;
using CertDaemon.Testbed.Nginx;

namespace CertDaemon.Tests.Deployment;

public sealed class ServedCertificateProbeTests
{
    private readonly ServedCertificateProbe _probe = new(TimeProvider.System, new ServedCertificateProbeOptions
    {
        Deadline = TimeSpan.FromMilliseconds(600),
        RetryInterval = TimeSpan.FromMilliseconds(100),
        HandshakeTimeout = TimeSpan.FromSeconds(2),
    });

    [Theory]
    [InlineData("*.example.com", "certdaemon-probe.example.com")]
    [InlineData("*.a.b.example.com", "certdaemon-probe.a.b.example.com")]
    [InlineData("example.com", "example.com")]
    [InlineData("www.example.com", "www.example.com")]
    public void Wildcards_are_asked_for_with_a_sample_label(string domain, string expected) =>
        Assert.Equal(expected, ServedCertificateProbe.ServerNameFor(domain));

    [Fact]
    public async Task Sends_the_sample_label_as_SNI_for_a_wildcard_and_reads_the_leaf()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=*.example.com", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("*.example.com");
        san.AddDnsName("example.com");
        request.CertificateExtensions.Add(san.Build());
        var now = TimeProvider.System.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        using var serverCertificate = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var sniSeen = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = Task.Run(async () =>
        {
            using var accepted = await listener.AcceptTcpClientAsync();
            await using var tls = new SslStream(accepted.GetStream());
            await tls.AuthenticateAsServerAsync(
                (_, hello, _, _) =>
                {
                    sniSeen.TrySetResult(hello.ServerName);
                    return ValueTask.FromResult(new SslServerAuthenticationOptions { ServerCertificate = serverCertificate });
                },
                null);
        });

        var result = await _probe.ReadAsync($"127.0.0.1:{port}", "*.example.com", CancellationToken.None);

        Assert.Equal("certdaemon-probe.example.com", await sniSeen.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        var served = Assert.IsType<ServedCertificateProbeResult.Served>(result);
        Assert.Equal("certdaemon-probe.example.com", served.ServerName);
        Assert.Equal(certificate.SerialNumber.ToLowerInvariant(), served.Certificate.Serial);
        Assert.Equal(["*.example.com", "example.com"], served.Certificate.Names);
        await server.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Nginx_picks_the_wildcard_server_block_from_the_sample_label()
    {
        var directory = TestbedPaths.NewRunDirectory("probe");
        var defaultSerial = NginxServer.WriteSelfSignedCertificate(Path.Combine(directory, "default.pem"), Path.Combine(directory, "default.key"), ["default.test"]);
        var wildcardSerial = NginxServer.WriteSelfSignedCertificate(Path.Combine(directory, "wild.pem"), Path.Combine(directory, "wild.key"), ["*.example.com"]);
        await using var nginx = await NginxServer.StartAsync(new NginxServerOptions
        {
            Sites =
            [
                new NginxSite(["default.test"], Path.Combine(directory, "default.pem"), Path.Combine(directory, "default.key")),
                new NginxSite(["*.example.com"], Path.Combine(directory, "wild.pem"), Path.Combine(directory, "wild.key")),
            ],
        });

        var wildcard = await _probe.WaitForSerialAsync(nginx.Address, "*.example.com", wildcardSerial, CancellationToken.None);
        var other = await _probe.ReadAsync(nginx.Address, "unknown.test", CancellationToken.None);

        Assert.Equal(wildcardSerial, Assert.IsType<ServedCertificateProbeResult.Served>(wildcard).Certificate.Serial);
        Assert.Equal(1, wildcard.Attempts);
        Assert.Equal(defaultSerial, Assert.IsType<ServedCertificateProbeResult.Served>(other).Certificate.Serial);
    }

    [Fact]
    public async Task Keeps_trying_until_the_deadline_then_returns_what_is_served()
    {
        var directory = TestbedPaths.NewRunDirectory("probe");
        var servedSerial = NginxServer.WriteSelfSignedCertificate(Path.Combine(directory, "a.pem"), Path.Combine(directory, "a.key"), ["a.test"]);
        await using var nginx = await NginxServer.StartAsync(new NginxServerOptions
        {
            Sites = [new NginxSite(["a.test"], Path.Combine(directory, "a.pem"), Path.Combine(directory, "a.key"))],
        });

        // Its own deadline, long enough that a loaded machine (a TLS handshake of several hundred ms) still fits
        // several attempts: the point is that it keeps trying, not how many tries fit into 600 ms.
        var probe = new ServedCertificateProbe(TimeProvider.System, new ServedCertificateProbeOptions
        {
            Deadline = TimeSpan.FromSeconds(3),
            RetryInterval = TimeSpan.FromMilliseconds(100),
            HandshakeTimeout = TimeSpan.FromSeconds(2),
        });
        var result = await probe.WaitForSerialAsync(nginx.Address, "a.test", "0123456789abcdef", CancellationToken.None);

        var served = Assert.IsType<ServedCertificateProbeResult.Served>(result);
        Assert.Equal(servedSerial, served.Certificate.Serial);
        Assert.InRange(served.Attempts, 2, 40);
    }

    [Fact]
    public async Task Connection_refused_is_a_clear_unreachable_result()
    {
        var address = $"127.0.0.1:{FreePort.Next()}";

        var result = await _probe.ReadAsync(address, "a.test", CancellationToken.None);

        var unreachable = Assert.IsType<ServedCertificateProbeResult.Unreachable>(result);
        Assert.Equal($"connection to {address} refused: nothing listens there", unreachable.Error);
    }

    [Theory]
    [InlineData("127.0.0.1:443", "127.0.0.1", 443)]
    [InlineData("[::1]:8443", "::1", 8443)]
    [InlineData("localhost:1", "localhost", 1)]
    public void Parses_host_and_port(string address, string host, int port) =>
        Assert.Equal((host, port), ServedCertificateProbe.ParseAddress(address));
}
