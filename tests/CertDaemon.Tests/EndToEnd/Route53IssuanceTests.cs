using System.Net;
using System.Security.Cryptography.X509Certificates;
using Amazon.Runtime;
using CertDaemon.Aws;
using CertDaemon.Aws.Route53;
using CertDaemon.Dns;
using CertDaemon.Dns.Route53;
using CertDaemon.Issuance;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;
using CertDaemon.Tests.Issuance;
using CertDaemon.Tests.Testbed;
using DnsClient;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace CertDaemon.Tests.EndToEnd;

/// <summary>
/// DNS-01 through Route53, end to end: a real pebble validating against challtestsrv, our Route53 emulator (signed
/// requests, PENDING then INSYNC, records reach DNS only at INSYNC, injected throttling), the real Route53 client
/// and the real solver.
/// </summary>
public sealed class Route53IssuanceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private PebbleServer _pebble = null!;
    private Route53Emulator _route53 = null!;
    private string _stateDirectory = null!;

    public async Task InitializeAsync()
    {
        _pebble = await PebbleServer.StartAsync(new PebbleOptions { NonceRejectPercent = 20, AuthorizationReusePercent = 0 });
        _route53 = await Route53Emulator.StartAsync(new Route53EmulatorOptions { InSyncDelay = TimeSpan.FromSeconds(1) }, _pebble.ChallTestSrv);
        _stateDirectory = Path.Combine(Path.GetTempPath(), "certdaemon-e2e-" + Guid.NewGuid().ToString("N"));
    }

    public async Task DisposeAsync()
    {
        await _route53.DisposeAsync();
        await _pebble.DisposeAsync();
        if (Directory.Exists(_stateDirectory))
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
    }

    private Task WithLogs(Func<Task> body) => FailureReport.WithLogsAsync(output, () => _pebble.Logs + string.Join("\n", _route53.PublishErrors), body);

    private Route53Client CreateClient() =>
        Route53Client.Create(
            _route53.Endpoint,
            new BasicAWSCredentials(Route53EmulatorOptions.DefaultCredential.AccessKeyId, Route53EmulatorOptions.DefaultCredential.SecretAccessKey),
            new AwsRequestRateLimiter(50, 50),
            AwsRetryOptions.Default with { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200), MaxAttempts = 10 });

    private Route53DnsChallengeSolver CreateSolver(IRoute53Client client, FileChallengeJournal journal, TimeSpan? propagationTimeout = null) =>
        Route53SolverFactory.Build(client,
            new Route53SolverOptions
            {
                Nameservers = [$"127.0.0.1:{_pebble.DnsPort}"],
                PropagationTimeout = propagationTimeout ?? TimeSpan.FromSeconds(60),
                InitialPollInterval = TimeSpan.FromMilliseconds(200),
                MaxPollInterval = TimeSpan.FromSeconds(1),
            },
            journal, TimeProvider.System, NullLogger.Instance);

    [Fact]
    public Task Apex_wildcard_and_ten_names_across_two_zones_and_a_cname_are_issued_with_one_change_per_zone_each_way() => WithLogs(async () =>
    {
        var parent = _route53.AddHostedZone("example.test", nameServers: ["ns1.example.test"]);
        var child = _route53.AddHostedZone("sub.example.test", nameServers: ["ns1.example.test"]);
        // Someone else's value on the shared name must survive both publish and clean-up.
        await _route53.SeedRecordSetAsync(parent, "_acme-challenge.example.test", "TXT", 300, ["\"unrelated-verification\""]);
        // _acme-challenge.delegated.example.test is delegated by CNAME into the child zone.
        await _route53.SeedRecordSetAsync(parent, "_acme-challenge.delegated.example.test", "CNAME", 300, ["delegated.acme.sub.example.test"]);
        _route53.Faults.ThrottlingProbability = 0.3;

        var names = new List<string> { "example.test", "*.example.test", "delegated.example.test" };
        names.AddRange(Enumerable.Range(1, 5).Select(i => $"p{i}.example.test"));
        names.AddRange(Enumerable.Range(1, 5).Select(i => $"c{i}.sub.example.test"));

        using var client = CreateClient();
        using var journal = new FileChallengeJournal(_stateDirectory);
        var solver = CreateSolver(client, journal);
        using var harness = await IssuanceHarness.CreateAsync(_pebble);

        var issued = await harness.Issuer.IssueAsync(new IssuanceRequest("e2e", names), solver, CancellationToken.None);

        using var leaf = X509Certificate2.CreateFromPem(issued.CertificatePem);
        Assert.Equal(names.ToHashSet(), IssuedCertificateVerifier.DnsNames(leaf));

        var accepted = _route53.ChangeLog.Where(e => e.Accepted).ToList();
        Assert.Equal(2, accepted.Count(e => e.HostedZoneId == parent));
        Assert.Equal(2, accepted.Count(e => e.HostedZoneId == child));
        // The Route53 budget (5 requests/s per account) does not grow with the names: 12 names in two zones cost one
        // zone listing for the whole domain and one record listing per zone before publishing and before cleaning up.
        Assert.Equal(1, _route53.GetStats(Route53Operation.ListHostedZonesByName).Succeeded);
        Assert.Equal(4, _route53.GetStats(Route53Operation.ListResourceRecordSets).Succeeded);

        // 30% of all calls were throttled and retried; the change batches above are the accepted ones only.
        var calls = Enum.GetValues<Route53Operation>().Select(_route53.GetStats).ToList();
        Assert.True(calls.Sum(s => s.Requests - s.Succeeded) > 0, "throttling was injected and must have been retried");

        // The delegated value went to the CNAME target, in the child zone.
        var parentPublish = accepted.First(e => e.HostedZoneId == parent);
        var childPublish = accepted.First(e => e.HostedZoneId == child);
        Assert.DoesNotContain(parentPublish.Changes, c => c.RecordSet.Name.Contains("delegated", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(childPublish.Changes, c => c.RecordSet.Name.StartsWith("delegated.acme.sub.example.test", StringComparison.OrdinalIgnoreCase));

        // Nothing of ours is left, in Route53 or in DNS; the unrelated value survived.
        Assert.Equal(["\"unrelated-verification\""], _route53.GetTxtValues("_acme-challenge.example.test"));
        foreach (var zone in new[] { parent, child })
        {
            Assert.DoesNotContain(_route53.GetRecordSets(zone), r => r.Type == "TXT" && !r.Name.StartsWith("_acme-challenge.example.test", StringComparison.Ordinal));
        }

        // The clean-up change reaches DNS when it is INSYNC (1 s here); clean-up itself need not wait for that.
        var dns = new LookupClient(new LookupClientOptions(new NameServer(IPAddress.Loopback, _pebble.DnsPort)) { UseCache = false });
        Assert.Equal(["unrelated-verification"], await EventuallyAsync(() => TxtAsync(dns, "_acme-challenge.example.test"), v => v.Count == 1));
        Assert.Empty(await EventuallyAsync(() => TxtAsync(dns, "_acme-challenge.p1.example.test"), v => v.Count == 0));
        Assert.Empty(await journal.ListAsync(CancellationToken.None));
    });

    private static async Task<IReadOnlyList<string>> TxtAsync(LookupClient dns, string name) =>
        [.. (await dns.QueryAsync(name, QueryType.TXT)).Answers.TxtRecords().SelectMany(t => t.Text)];

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(10);
        while (true)
        {
            var value = await read();
            if (done(value) || TimeProvider.System.GetUtcNow() > deadline)
            {
                return value;
            }

            await Task.Delay(100);
        }
    }

    [Fact]
    public Task Without_waiting_for_insync_validation_would_fail_so_the_solver_waits_and_the_records_reach_dns_first() => WithLogs(async () =>
    {
        var zone = _route53.AddHostedZone("wait.test", nameServers: ["ns1.wait.test"]);
        _route53.InSyncDelay = TimeSpan.FromSeconds(2);
        using var client = CreateClient();
        using var journal = new FileChallengeJournal(_stateDirectory);
        using var harness = await IssuanceHarness.CreateAsync(_pebble);
        var started = TimeProvider.System.GetTimestamp();

        var issued = await harness.Issuer.IssueAsync(new IssuanceRequest("wait", ["wait.test"]), CreateSolver(client, journal), CancellationToken.None);

        Assert.True(TimeProvider.System.GetElapsedTime(started) >= TimeSpan.FromSeconds(2), "the solver must not ask the CA before INSYNC");
        Assert.NotNull(issued.SerialHex);
        Assert.True(_route53.GetStats(Route53Operation.GetChange).Succeeded >= 1);
        Assert.DoesNotContain(_route53.GetRecordSets(zone), r => r.Type == "TXT");
    });

    [Fact]
    public Task A_propagation_check_that_never_sees_the_value_fails_clearly_within_the_timeout_and_leaves_nothing() => WithLogs(async () =>
    {
        var zone = _route53.AddHostedZone("lagging.test", nameServers: ["ns1.lagging.test"]);
        using var client = CreateClient();
        using var journal = new FileChallengeJournal(_stateDirectory);
        // The DNS server the solver checks is a second challtestsrv that Route53 never publishes to: it lacks every value.
        await using var stale = await PebbleServer.StartAsync();
        var solver = Route53SolverFactory.Build(
            client,
            new Route53SolverOptions { Nameservers = [$"127.0.0.1:{stale.DnsPort}"], PropagationTimeout = TimeSpan.FromSeconds(4), InitialPollInterval = TimeSpan.FromMilliseconds(200) },
            journal, TimeProvider.System, NullLogger.Instance);
        using var harness = await IssuanceHarness.CreateAsync(_pebble);
        var started = TimeProvider.System.GetTimestamp();

        var error = await Assert.ThrowsAsync<PropagationTimeoutException>(() =>
            harness.Issuer.IssueAsync(new IssuanceRequest("lag", ["lagging.test"]), solver, CancellationToken.None));

        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(20));
        Assert.Contains($"127.0.0.1:{stale.DnsPort}", error.Message, StringComparison.Ordinal);
        Assert.Contains("_acme-challenge.lagging.test", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_route53.GetRecordSets(zone), r => r.Type == "TXT");
        Assert.Empty(await journal.ListAsync(CancellationToken.None));
    });
}
