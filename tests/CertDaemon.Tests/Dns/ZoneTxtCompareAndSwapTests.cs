using CertDaemon.Aws;
using CertDaemon.Dns;
using CertDaemon.Dns.Route53;
using CertDaemon.Testbed.Route53;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Dns;

/// <summary>
/// Two hosts with separate state directories share a hosted zone: no lock of ours spans them, so a value the other
/// host writes between our read and our write must survive through Route53's own compare-and-swap (a DELETE that
/// must match the set exactly, in one atomic batch with the CREATE of its new form). The emulator refuses a stale
/// DELETE, and a CREATE of an existing set, with InvalidChangeBatch, as Route53 does.
/// </summary>
public sealed class ZoneTxtCompareAndSwapTests(TwoNameserversFixture servers, ITestOutputHelper output)
    : IClassFixture<TwoNameserversFixture>, IDisposable
{
    private readonly string _stateDirectory = Directory.CreateTempSubdirectory("certdaemon-cas-").FullName;
    private readonly string _run = "r" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => Directory.Delete(_stateDirectory, recursive: true);

    [Fact]
    public Task A_value_another_host_writes_between_our_read_and_our_write_survives_our_publish_and_our_clean_up() =>
        FailureReport.WithLogsAsync(output, () => servers.First.Logs, async () =>
        {
            await using var route53 = await EmulatedRoute53.StartAsync(servers.First.Client);
            var zone = route53.Emulator.AddHostedZone($"{_run}.test");
            var name = $"_acme-challenge.{_run}.test.";
            var client = new InterleavingRoute53Client(route53.Client);
            var (solver, journal) = Create(client);
            DnsChallengeRecord[] records = [new($"{_run}.test", name, "ours")];

            // We read "no set"; the other host creates it before our write.
            client.BeforeNextChange(() => route53.Emulator.SeedRecordSetAsync(zone, name, "TXT", 60, ["\"other-host\""]));
            await solver.PresentAsync(records, default);
            Assert.Equal(["\"other-host\"", "\"ours\""], route53.FindTxt(zone, name)!.Values.Order(StringComparer.Ordinal));

            // We read [other-host, ours]; the other host adds a third value before our write.
            client.BeforeNextChange(() => route53.Emulator.SeedRecordSetAsync(zone, name, "TXT", 60, ["\"other-host\"", "\"ours\"", "\"third\""]));
            await solver.CleanUpAsync(records, default);

            Assert.Equal(["\"other-host\"", "\"third\""], route53.FindTxt(zone, name)!.Values.Order(StringComparer.Ordinal));
            Assert.Empty(await journal.ListAsync(default));
            // Each refused write changed nothing; the retry after it did.
            var changes = route53.ChangesTo(zone);
            Assert.Equal(["InvalidChangeBatch", null, "InvalidChangeBatch", null], changes.Select(c => c.ErrorCode));
            Assert.DoesNotContain(changes.SelectMany(c => c.Changes), c => c.Action == Route53ChangeAction.Upsert);
        });

    [Fact]
    public Task A_publish_that_keeps_conflicting_fails_after_a_bounded_number_of_attempts_and_its_clean_up_leaves_nothing_behind() =>
        FailureReport.WithLogsAsync(output, () => servers.First.Logs, async () =>
        {
            await using var route53 = await EmulatedRoute53.StartAsync(servers.First.Client);
            var zone = route53.Emulator.AddHostedZone($"{_run}.test");
            var name = $"_acme-challenge.{_run}.test.";
            await route53.Emulator.SeedRecordSetAsync(zone, name, "TXT", 300, ["\"someone-else\""]);
            var (solver, journal) = Create(route53.Client);
            DnsChallengeRecord[] records = [new($"{_run}.test", name, "ours")];
            route53.Emulator.Faults.Enqueue(Route53Fault.InvalidChangeBatch, Route53Operation.ChangeResourceRecordSets, count: ZoneTxtWriter.MaxAttempts);

            var error = await Assert.ThrowsAsync<AwsServiceException>(() => solver.PresentAsync(records, default));
            Assert.Equal("InvalidChangeBatch", error.Code);
            Assert.Equal(ZoneTxtWriter.MaxAttempts, route53.ChangesTo(zone).Count);

            // What the failed run's caller does next: clean up. Nothing of ours was written, nothing is left.
            await solver.CleanUpAsync(records, default);
            Assert.Equal(["\"someone-else\""], route53.FindTxt(zone, name)!.Values);
            Assert.Equal(300, route53.FindTxt(zone, name)!.Ttl);
            Assert.Empty(await journal.ListAsync(default));
        });

    private (Route53DnsChallengeSolver Solver, FileChallengeJournal Journal) Create(CertDaemon.Aws.Route53.IRoute53Client client)
    {
        var options = new Route53SolverOptions
        {
            Nameservers = [servers.First.Endpoint],
            PropagationTimeout = TimeSpan.FromSeconds(20),
            InitialPollInterval = TimeSpan.FromMilliseconds(20),
            MaxPollInterval = TimeSpan.FromMilliseconds(200),
            DnsQueryTimeout = TimeSpan.FromSeconds(1),
        };
        var journal = new FileChallengeJournal(_stateDirectory);
        var cnames = new DnsCnameResolver(DnsServer.ParseAll([servers.First.Endpoint]), TimeSpan.FromSeconds(1));
        return (Route53SolverFactory.Build(client, options, journal, TimeProvider.System, new CapturingLogger<Route53DnsChallengeSolver>(), cnames), journal);
    }
}
