using CertDaemon.Configuration;
using CertDaemon.Dns;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Reliability;

/// <summary>
/// Certificates whose names share one <c>_acme-challenge</c> name (an apex and its wildcard), issued at the same
/// moment by one daemon and by separate processes, against real pebble + challtestsrv and the Route53 emulator:
/// no run may remove, overwrite or orphan another run's TXT value.
/// </summary>
public sealed class SharedChallengeNameTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Rounds = 20;
    private PebbleServer _pebble = null!;
    private Route53Emulator _route53 = null!;
    private string _zoneId = null!;
    private string _root = null!;

    public async Task InitializeAsync()
    {
        // A new authorization (and so a new TXT value) for every order: each round really publishes three values.
        _pebble = await PebbleServer.StartAsync(new PebbleOptions { NonceRejectPercent = 10, AuthorizationReusePercent = 0 });
        _route53 = await Route53Emulator.StartAsync(new Route53EmulatorOptions { InSyncDelay = TimeSpan.FromMilliseconds(100), KeepRemovedTxtValuesUntilSetDeleted = true }, _pebble.ChallTestSrv);
        _zoneId = _route53.AddHostedZone("example.test", nameServers: ["ns1.example.test"]);
        _root = Directory.CreateTempSubdirectory("certdaemon-shared-name-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _route53.DisposeAsync();
        await _pebble.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public Task Apex_and_wildcard_issued_concurrently_by_one_daemon_and_by_another_process_never_lose_or_leave_a_value() =>
        FailureReport.WithLogsAsync(output, () => _pebble.Logs + string.Join("\n", _route53.PublishErrors), async () =>
        {
            // Process A (a daemon issuing two certificates at once) and process B (another CertDaemon process on the
            // same state directory) together put three values on _acme-challenge.pair.example.test at the same moment.
            // (Three, not more: challtestsrv answers over UDP without truncation, and pebble cannot read a TXT answer
            // over 512 bytes - "dns: overflowing header size" - which four 43-character values exceed.)
            var options = ReliabilityTestbed.Options(_pebble, _route53, _root, Certificates(
                ("apex-a", "pair.example.test"), ("wild-a", "*.pair.example.test"), ("wild-b", "*.pair.example.test")));
            await using var daemon = ReliabilityTestbed.Graph(options, _route53);
            await using var other = ReliabilityTestbed.Graph(options, _route53);

            var failures = new List<string>();
            var leftovers = new List<string>();
            for (var round = 1; round <= Rounds; round++)
            {
                var runs = new[]
                {
                    daemon.Lifecycle.IssueAndDeployAsync(daemon.Certificate("apex-a"), CancellationToken.None),
                    daemon.Lifecycle.IssueAndDeployAsync(daemon.Certificate("wild-a"), CancellationToken.None),
                    other.Lifecycle.IssueAndDeployAsync(other.Certificate("wild-b"), CancellationToken.None),
                };
                foreach (var run in runs)
                {
                    try
                    {
                        await run;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        failures.Add($"round {round}: {e.GetType().Name}: {e.Message}");
                    }
                }

                leftovers.AddRange(_route53.GetRecordSets(_zoneId).Where(r => r.Type == "TXT")
                    .Select(r => $"round {round}: {r.Name} {string.Join(" ", r.Values)}"));
                leftovers.AddRange((await daemon.Get<IChallengeJournal>().ListAsync(CancellationToken.None))
                    .Select(e => $"round {round}: journal {e.TargetName} {e.Value}"));
            }

            output.WriteLine($"{Rounds} rounds x 3 issuances: {failures.Count} failures, {leftovers.Count} leftovers");
            Assert.True(failures.Count == 0, string.Join("\n", failures));
            Assert.True(leftovers.Count == 0, string.Join("\n", leftovers));
        });

    [Fact]
    public Task Hosts_with_separate_state_directories_issuing_on_one_name_at_once_never_lose_or_leave_a_value() =>
        FailureReport.WithLogsAsync(output, () => _pebble.Logs + string.Join("\n", _route53.PublishErrors), async () =>
        {
            // Two boxes that share the hosted zone and nothing else (no state directory, so none of our locks): only
            // Route53's compare-and-swap (a DELETE that must match exactly, atomic with the CREATE) keeps their
            // read-modify-writes of _acme-challenge.pair.example.test from overwriting each other.
            var hostA = ReliabilityTestbed.Options(_pebble, _route53, Path.Combine(_root, "host-a"), Certificates(
                ("apex", "pair.example.test"), ("wild", "*.pair.example.test")));
            var hostB = ReliabilityTestbed.Options(_pebble, _route53, Path.Combine(_root, "host-b"), Certificates(("wild", "*.pair.example.test")));
            await using var a = ReliabilityTestbed.Graph(hostA, _route53);
            await using var b = ReliabilityTestbed.Graph(hostB, _route53);

            var failures = new List<string>();
            var leftovers = new List<string>();
            for (var round = 1; round <= Rounds; round++)
            {
                var runs = new[]
                {
                    a.Lifecycle.IssueAndDeployAsync(a.Certificate("apex"), CancellationToken.None),
                    a.Lifecycle.IssueAndDeployAsync(a.Certificate("wild"), CancellationToken.None),
                    b.Lifecycle.IssueAndDeployAsync(b.Certificate("wild"), CancellationToken.None),
                };
                foreach (var run in runs)
                {
                    try
                    {
                        await run;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        failures.Add($"round {round}: {e.GetType().Name}: {e.Message}");
                    }
                }

                leftovers.AddRange(_route53.GetRecordSets(_zoneId).Where(r => r.Type == "TXT")
                    .Select(r => $"round {round}: {r.Name} {string.Join(" ", r.Values)}"));
                foreach (var host in new[] { a, b })
                {
                    leftovers.AddRange((await host.Get<IChallengeJournal>().ListAsync(CancellationToken.None))
                        .Select(e => $"round {round}: journal of {host.Options.StateDirectory}: {e.TargetName} {e.Value}"));
                }
            }

            var conflicts = _route53.ChangeLog.Count(c => c.ErrorCode == "InvalidChangeBatch");
            output.WriteLine($"{Rounds} rounds x 3 issuances on 2 state directories: {failures.Count} failures, {leftovers.Count} leftovers, {conflicts} refused stale writes retried");
            Assert.True(failures.Count == 0, string.Join("\n", failures));
            Assert.True(leftovers.Count == 0, string.Join("\n", leftovers));
        });

    private static CertificateOptions[] Certificates(params (string Name, string Domain)[] certificates) =>
        [.. certificates.Select(c => new CertificateOptions { Name = c.Name, Domains = [c.Domain], Nginx = false })];
}
