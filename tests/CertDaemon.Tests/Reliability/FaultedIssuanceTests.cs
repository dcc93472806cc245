using System.Net;
using System.Net.Sockets;
using CertDaemon.Acme;
using CertDaemon.Configuration;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;
using CertDaemon.Tests.Testbed;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Reliability;

/// <summary>Issuance through the product's own service graph against real servers that behave badly or unusually.</summary>
public sealed class FaultedIssuanceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private PebbleServer _pebble = null!;
    private Route53Emulator _route53 = null!;
    private string _root = null!;
    private string _zoneId = null!;

    public async Task InitializeAsync()
    {
        _pebble = await PebbleServer.StartAsync(new PebbleOptions { NonceRejectPercent = 10, AuthorizationReusePercent = 0 });
        _route53 = await Route53Emulator.StartAsync(new Route53EmulatorOptions { InSyncDelay = TimeSpan.FromMilliseconds(100) }, _pebble.ChallTestSrv);
        _zoneId = _route53.AddHostedZone("example.test", nameServers: ["ns1.example.test"]);
        _root = Directory.CreateTempSubdirectory("certdaemon-faulted-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _route53.DisposeAsync();
        await _pebble.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public Task An_idn_name_is_issued_its_txt_value_seen_under_the_a_label() =>
        FailureReport.WithLogsAsync(output, () => _pebble.Logs, async () =>
        {
            // What the configuration loader makes of "bücher.example.test": the A-label ACME orders carry.
            Assert.True(DomainNameNormalizer.TryNormalize("bücher.example.test", allowWildcard: true, out var domain, out var problem), problem);
            var options = ReliabilityTestbed.Options(_pebble, _route53, _root, [new CertificateOptions { Name = "buecher", Domains = [domain], Nginx = false }]);
            await using var graph = ReliabilityTestbed.Graph(options, _route53);

            // The DNS library hands the answer's name back as "bücher": before, the check never matched it and waited
            // out the whole propagation timeout (30 s here) before failing.
            var outcome = await graph.Lifecycle.IssueAndDeployAsync(graph.Certificate("buecher"), CancellationToken.None);

            Assert.Equal(["xn--bcher-kva.example.test"], outcome.Issued!.Domains);
            Assert.DoesNotContain(_route53.GetRecordSets(_zoneId), r => r.Type == "TXT");
        });

    [Fact]
    public async Task A_ca_that_accepts_the_connection_and_never_answers_is_an_error_naming_the_url_never_a_cancellation()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<TcpClient>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                accepted.Add(await silent.AcceptTcpClientAsync(stop.Token));
            }
        });
        var directory = new Uri($"https://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/directory");
        var options = ReliabilityTestbed.Options(_pebble, _route53, _root, [new CertificateOptions { Name = "silent", Domains = ["silent.example.test"], Nginx = false }])
            with { Acme = new AcmeOptions { DirectoryUrl = directory, Email = "ops@example.test", AcceptTermsOfService = true } };
        // The product's timeout is 60 s; two keep the test short.
        await using var graph = InProcessGraph.Create(options, _route53, overrides: s => s.AddSingleton(new HttpClient { Timeout = TimeSpan.FromSeconds(2) }));

        var error = await Record.ExceptionAsync(() => graph.Lifecycle.IssueAndDeployAsync(graph.Certificate("silent"), CancellationToken.None));

        await stop.CancelAsync();
        await Record.ExceptionAsync(() => accepting);
        accepted.ForEach(c => c.Dispose());
        Assert.NotNull(error);
        Assert.IsNotAssignableFrom<OperationCanceledException>(error);
        var unanswered = Assert.IsType<AcmeUnansweredException>(error);
        Assert.Contains(directory.ToString(), unanswered.Message, StringComparison.Ordinal);
        Assert.Contains("did not answer GET", unanswered.Message, StringComparison.Ordinal);
    }
}
