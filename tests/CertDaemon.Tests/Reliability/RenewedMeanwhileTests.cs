using CertDaemon.Configuration;
using CertDaemon.Renewal;
using CertDaemon.Storage;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Reliability;

/// <summary>
/// A run that waited for a certificate's lock while another run renewed it does not order again - unless the other
/// run's certificate is not what this run was asked for: an operator who added a name and ran <c>issue</c> while the
/// daemon (still on the old configuration) renewed must get the name, not "renewed by another run".
/// </summary>
public sealed class RenewedMeanwhileTests(ITestOutputHelper output) : IAsyncLifetime
{
    private PebbleServer _pebble = null!;
    private Route53Emulator _route53 = null!;
    private string _root = null!;

    public async Task InitializeAsync()
    {
        _pebble = await PebbleServer.StartAsync();
        _route53 = await Route53Emulator.StartAsync(new Route53EmulatorOptions { InSyncDelay = TimeSpan.FromMilliseconds(100) }, _pebble.ChallTestSrv);
        _route53.AddHostedZone("example.test", nameServers: ["ns1.example.test"]);
        _root = Directory.CreateTempSubdirectory("certdaemon-renewed-meanwhile-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _route53.DisposeAsync();
        await _pebble.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public Task A_run_asked_for_an_added_name_orders_although_another_run_renewed_meanwhile() =>
        FailureReport.WithLogsAsync(output, () => _pebble.Logs, async () =>
        {
            var before = ReliabilityTestbed.Options(_pebble, _route53, _root, [new CertificateOptions { Name = "site", Domains = ["a.example.test"] }]);
            var after = before with { Certificates = [new CertificateOptions { Name = "site", Domains = ["a.example.test", "b.example.test"] }] };
            await using var daemon = ReliabilityTestbed.Graph(before, _route53);
            await using var operatorRun = ReliabilityTestbed.Graph(after, _route53);
            await daemon.Lifecycle.IssueAndDeployAsync(daemon.Certificate("site"), CancellationToken.None);

            // The daemon (old configuration) holds the lock and renews; the operator's issue (new name) waits meanwhile.
            Task<LifecycleOutcome> asked;
            using (await daemon.Get<ICertificateLock>().AcquireAsync("site", CancellationToken.None))
            {
                asked = operatorRun.Lifecycle.IssueAndDeployAsync(operatorRun.Certificate("site"), CancellationToken.None);
                await Task.Delay(TimeSpan.FromSeconds(1));
                Assert.False(asked.IsCompleted, "the operator's run did not wait for the lock");
                await daemon.Get<CertificateStateStore>().UpdateAsync("site", s => s with { Current = s.Current! with { Serial = "0123456789abcdef" } }, CancellationToken.None);
            }

            var outcome = await asked; // before: RenewedMeanwhileException, the added name never ordered
            Assert.Equal(["a.example.test", "b.example.test"], outcome.Issued!.Domains.Order(StringComparer.Ordinal));
        });
}
