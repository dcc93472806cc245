using CertDaemon.Configuration;
using CertDaemon.Renewal;
using CertDaemon.Storage;
using CertDaemon.Testbed.Nginx;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;
using CertDaemon.Tests.Deployment;
using CertDaemon.Tests.Reliability;
using CertDaemon.Tests.Storage;
using CertDaemon.Tests.Testbed;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Renewal;

/// <summary>
/// Several certificates due in the same check (the daemon's start-up check runs every certificate's job at once)
/// are renewed at most <c>Renewal.MaxConcurrentIssuances</c> at a time, yet nginx is tested and reloaded once for
/// all of them, and each one is then checked as served. Real pebble, the Route53 emulator and real nginx; the
/// product's own graph and coordinator.
/// </summary>
public sealed class SharedReloadTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string[] Names = ["alpha", "bravo", "charlie"];
    private readonly TestCertificates _ca = new();
    private PebbleServer _pebble = null!;
    private Route53Emulator _route53 = null!;
    private NginxServer _nginx = null!;
    private string _root = null!;
    private string _testsRan = null!;
    private CertDaemonOptions _options = null!;

    public async Task InitializeAsync()
    {
        _root = Directory.CreateTempSubdirectory("certdaemon-shared-reload-").FullName;
        _pebble = await PebbleServer.StartAsync();
        _route53 = await Route53Emulator.StartAsync(new Route53EmulatorOptions { InSyncDelay = TimeSpan.FromMilliseconds(200) }, _pebble.ChallTestSrv);
        _route53.AddHostedZone("example.test", nameServers: ["ns1.example.test"]);
        var baseOptions = ReliabilityTestbed.Options(_pebble, _route53, _root,
            [.. Names.Select(n => new CertificateOptions { Name = n, Domains = [Domain(n)] })]);

        // What nginx serves before: certificates from a test CA that expire tomorrow, so every one is due.
        var store = new CertificateStore(baseOptions.CertificateDirectory, new CertificateStoreOptions(), TimeProvider.System, NullLogger.Instance);
        foreach (var name in Names)
        {
            await store.CommitAsync(name, _ca.Issue(Domain(name), days: 1), CancellationToken.None);
        }

        _nginx = await NginxServer.StartAsync(new NginxServerOptions
        {
            Sites = [.. Names.Select(n => new NginxSite([Domain(n)], Path.Combine(store.LivePath(n), "fullchain.pem"), Path.Combine(store.LivePath(n), "privkey.pem")))],
        });
        _testsRan = Path.Combine(_root, "nginx-tests-ran");
        var nginx = _nginx.ToNginxOptions();
        _options = baseOptions with
        {
            // Each run of the configuration test is counted; the command is nginx's own test.
            Nginx = nginx with { TestCommand = ["/bin/sh", "-c", "echo ran >> \"$0\"; exec \"$@\"", _testsRan, .. nginx.TestCommand] },
            Renewal = baseOptions.Renewal with { MaxConcurrentIssuances = 2 },
        };
    }

    public async Task DisposeAsync()
    {
        await _nginx.DisposeAsync();
        await _route53.DisposeAsync();
        await _pebble.DisposeAsync();
        _ca.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public Task Three_certificates_due_in_one_check_two_issuances_at_a_time_share_one_nginx_test_and_one_reload() =>
        FailureReport.WithLogsAsync(output, () => _nginx.Logs + "\n" + _pebble.Logs, async () =>
        {
            var logs = new CapturingLoggerProvider();
            await using var daemon = ReliabilityTestbed.Graph(_options, _route53, logs);
            var reloadsBefore = _nginx.ReloadSignalCount;

            // The start-up check: every certificate's job at once, as Quartz runs them.
            var coordinator = daemon.Get<RenewalCoordinator>();
            var results = await Task.WhenAll(Names.Select(n => coordinator.CheckAsync(daemon.Certificate(n), force: false, CancellationToken.None)));

            foreach (var result in results)
            {
                Assert.True(result.Outcome == RenewalCheckOutcome.Renewed, $"{result.CertificateName}: {result.Outcome} ({result.Decision.ReasonName}) {result.Error}");
            }

            // Two orders at a time (the third waits for a slot), and still one test and one reload for all three.
            Assert.Single(File.ReadAllLines(_testsRan));
            Assert.Equal(1, _nginx.ReloadSignalCount - reloadsBefore);
            var shared = Assert.Single(logs.Named("NginxDeploymentsShared"));
            Assert.Equal("3", shared.Property("Count"));
            Assert.Equal(3, logs.Named("NginxReloaded").Count());

            // What an operator checks: status names the new serial as current everywhere, and nginx serves it.
            var statuses = await new CertificateStatusReader(_options, daemon.Get<ManagedCertificateCatalog>(), daemon.Get<CertificateStateStore>(), TimeProvider.System)
                .ReadAsync(CancellationToken.None);
            foreach (var name in Names)
            {
                var status = statuses.Single(s => s.Name == name);
                var live = results.Single(r => r.CertificateName == name).Lifecycle!.Issued!.SerialHex;
                Assert.Equal(live, status.Serial);
                Assert.True(Assert.Single(status.Targets).HoldsCurrent, $"{name}: nginx target does not hold {live}");
                Assert.Equal(live, await TlsHandshake.EventuallyServedSerialAsync(_nginx.Port, Domain(name), live));
            }
        });

    private static string Domain(string name) => $"{name}.example.test";
}
