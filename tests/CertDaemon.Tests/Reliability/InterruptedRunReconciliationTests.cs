using CertDaemon.Configuration;
using CertDaemon.Renewal;
using CertDaemon.Storage;
using CertDaemon.Testbed.Nginx;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;
using CertDaemon.Tests.Deployment;
using CertDaemon.Tests.Storage;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Reliability;

/// <summary>
/// A renewal killed right after its live switch (the new version is live, the state still names the old one, nginx
/// was never reloaded) is finished by the next start's check: state, live files and what nginx serves agree again.
/// Real nginx; the daemon's own check (<see cref="RenewalCoordinator.CheckAsync"/>) through the product's graph.
/// </summary>
public sealed class InterruptedRunReconciliationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Name = "site";
    private const string Domain = "site.example.test";
    private readonly TestCertificates _ca = new();
    private PebbleServer _pebble = null!;
    private Route53Emulator _route53 = null!;
    private NginxServer _nginx = null!;
    private string _root = null!;
    private CertDaemonOptions _options = null!;

    public async Task InitializeAsync()
    {
        _root = Directory.CreateTempSubdirectory("certdaemon-reconcile-").FullName;
        _pebble = await PebbleServer.StartAsync();
        _route53 = await Route53Emulator.StartAsync(new Route53EmulatorOptions(), _pebble.ChallTestSrv);
        var baseOptions = ReliabilityTestbed.Options(_pebble, _route53, _root, [new CertificateOptions { Name = Name, Domains = [Domain] }]);
        var live = Path.Combine(baseOptions.CertificateDirectory, "live", Name);
        var store = new CertificateStore(baseOptions.CertificateDirectory, new CertificateStoreOptions(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await store.CommitAsync(Name, _ca.Issue(Domain, days: 3000), CancellationToken.None);
        _nginx = await NginxServer.StartAsync(new NginxServerOptions
        {
            Sites = [new NginxSite([Domain], Path.Combine(live, "fullchain.pem"), Path.Combine(live, "privkey.pem"))],
        });
        _options = baseOptions with { Nginx = _nginx.ToNginxOptions() };
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
    public Task A_run_killed_after_the_live_switch_is_finished_by_the_next_check_and_nginx_serves_the_live_certificate() =>
        FailureReport.WithLogsAsync(output, () => _nginx.Logs, async () =>
        {
            // Before the crash: version 1 recorded and served.
            string oldSerial;
            await using (var before = ReliabilityTestbed.Graph(_options, _route53))
            {
                var store = before.Get<CertificateStore>();
                var current = before.Get<LiveStateRebuilder>().Describe(store.GetLive(Name)!);
                oldSerial = current.Serial;
                await before.Get<CertificateStateStore>().SaveAsync(new CertificateState
                {
                    Name = Name,
                    Current = current,
                    History = [new CertificateHistoryEntry(current.Version, current.Serial, current.NotAfter, current.IssuedAt)],
                    Targets = new Dictionary<string, TargetState> { ["nginx"] = new() { HeldSerial = current.Serial } },
                }, CancellationToken.None);

                // The interrupted renewal: committed and switched live, then SIGKILL - no state, no nginx reload.
                await store.CommitAsync(Name, _ca.Issue(Domain, days: 3000), CancellationToken.None);
            }

            var liveSerial = LiveSerial();
            Assert.NotEqual(oldSerial, liveSerial);
            Assert.Equal(oldSerial, await TlsHandshake.ServedSerialAsync(_nginx.Port, Domain));

            // The next start checks every certificate: the old one is not due, so only reconciliation can help.
            var logs = new CapturingLoggerProvider();
            await using var next = ReliabilityTestbed.Graph(_options, _route53, logs);
            var result = await next.Get<RenewalCoordinator>().CheckAsync(next.Certificate(Name), force: false, CancellationToken.None);

            Assert.True(result.Outcome == RenewalCheckOutcome.NotDue, $"{result.Outcome} ({result.Decision.ReasonName}: {result.Decision.Explanation}) {result.Error}");
            var status = Assert.Single(await new CertificateStatusReader(_options, next.Get<ManagedCertificateCatalog>(), next.Get<CertificateStateStore>(), TimeProvider.System)
                .ReadAsync(CancellationToken.None));
            Assert.Equal(liveSerial, status.Serial);
            var nginx = Assert.Single(status.Targets);
            Assert.True(nginx.HoldsCurrent, $"nginx target holds {nginx.Serial}, live is {liveSerial}");
            Assert.Equal(liveSerial, await TlsHandshake.EventuallyServedSerialAsync(_nginx.Port, Domain, liveSerial));
            Assert.Single(logs.Named("InterruptedRunReconciled"));

            // And a second check finds nothing more to do.
            var again = await next.Get<RenewalCoordinator>().CheckAsync(next.Certificate(Name), force: false, CancellationToken.None);
            Assert.Null(again.Lifecycle);
            Assert.Single(logs.Named("InterruptedRunReconciled"));
        });

    private string LiveSerial()
    {
        var store = new CertificateStore(_options.CertificateDirectory, new CertificateStoreOptions(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        return store.GetLive(Name)!.Serial;
    }
}
