using System.Net;
using CertDaemon.Aws;
using CertDaemon.Dns;
using CertDaemon.Dns.Route53;
using CertDaemon.Testbed.Route53;
using CertDaemon.Tests.Testbed;
using DnsClient;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Dns;

/// <summary>
/// The solver against the Route53 emulator (through the product's client), with real challtestsrv processes as the
/// zones' authoritative nameservers: the emulator pushes a change's values into the first when it reports INSYNC (as
/// Route53 does to its servers). Changes stay PENDING for a counted number of polls, so the assertions on polling do
/// not depend on timing.
/// </summary>
public sealed class Route53DnsChallengeSolverTests(TwoNameserversFixture servers, ITestOutputHelper output)
    : IClassFixture<TwoNameserversFixture>, IDisposable
{
    private readonly string _stateDirectory = Directory.CreateTempSubdirectory("certdaemon-dns-").FullName;
    private readonly string _run = "r" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => Directory.Delete(_stateDirectory, recursive: true);

    [Fact]
    public async Task A_status_poll_that_still_fails_after_retries_is_not_a_failed_order_before_the_deadline()
    {
        // Two attempts per call: four throttled GetChange requests are two polls that failed after the client's retries.
        await using var route53 = await EmulatedRoute53.StartAsync(servers.First.Client, pendingPolls: 1, maxAttempts: 2);
        route53.Emulator.AddHostedZone($"{_run}-poll.test");
        route53.Emulator.Faults.Enqueue(Route53Fault.Throttling, Route53Operation.GetChange, count: 4);
        var (solver, _, log) = Create(route53, servers.First);

        await WithLogs(() => solver.PresentAsync([new($"{_run}-poll.test", $"_acme-challenge.{_run}-poll.test", "poll-value")], default));

        Assert.Equal(2, log.Named("ChallengeChangePollFailed").Count);
        Assert.Equal(["poll-value"], await TxtAsync(servers.First, $"_acme-challenge.{_run}-poll.test"));
    }

    [Fact]
    public async Task Present_and_clean_up_send_one_change_per_zone_wait_for_insync_and_confirm_over_dns()
    {
        await using var route53 = await EmulatedRoute53.StartAsync(servers.First.Client, pendingPolls: 2);
        var zoneA = route53.Emulator.AddHostedZone($"{_run}-a.test");
        var zoneB = route53.Emulator.AddHostedZone($"{_run}-b.test");
        var (solver, journal, log) = Create(route53, servers.First);
        DnsChallengeRecord[] records =
        [
            new($"{_run}-a.test", $"_acme-challenge.{_run}-a.test", "apex-value"),
            new($"*.{_run}-a.test", $"_acme-challenge.{_run}-a.test", "wildcard-value"),
            new($"www.{_run}-a.test", $"_acme-challenge.www.{_run}-a.test", "www-value"),
            new($"{_run}-b.test", $"_acme-challenge.{_run}-b.test", "b-value"),
        ];

        await WithLogs(() => solver.PresentAsync(records, default));

        var publishA = Assert.Single(route53.ChangesTo(zoneA));
        Assert.Equal(2, publishA.Changes.Count);
        Assert.All(publishA.Changes, c => Assert.Equal(Route53ChangeAction.Create, c.Action));
        Assert.Equal(["\"apex-value\"", "\"wildcard-value\""], publishA.Changes.Single(c => c.RecordSet.Name == $"_acme-challenge.{_run}-a.test.").RecordSet.Values);
        Assert.Single(route53.ChangesTo(zoneB));

        // PENDING twice, then INSYNC, for each of the two changes.
        var polls = route53.GetChangeRequests();
        Assert.Equal(6, polls.Count);
        Assert.All(polls.GroupBy(id => id), g => Assert.Equal(3, g.Count()));

        Assert.Equal(["apex-value", "wildcard-value"], await TxtAsync(servers.First, $"_acme-challenge.{_run}-a.test"));
        var published = log.Named("ChallengeRecordsPublished");
        Assert.Equal(2, published.Count);
        Assert.All(published, e => Assert.Equal(3001, e.EventId.Id));
        var eventA = published.Single(e => (string?)e.Properties["Zone"] == $"{_run}-a.test.");
        Assert.Equal(polls[0], eventA.Properties["ChangeId"]);
        Assert.Equal([$"_acme-challenge.{_run}-a.test.", $"_acme-challenge.www.{_run}-a.test."], Assert.IsAssignableFrom<IEnumerable<string>>(eventA.Properties["Names"]));
        Assert.Equal(4, (await journal.ListAsync(default)).Count);

        await solver.CleanUpAsync(records, default);

        Assert.Equal(2, route53.ChangesTo(zoneA).Count);
        Assert.Equal(2, route53.ChangesTo(zoneB).Count);
        Assert.All(route53.ChangesTo(zoneA)[1].Changes, c => Assert.Equal(Route53ChangeAction.Delete, c.Action));
        Assert.Null(route53.FindTxt(zoneA, $"_acme-challenge.{_run}-a.test"));
        Assert.Null(route53.FindTxt(zoneB, $"_acme-challenge.{_run}-b.test"));
        Assert.Empty(await journal.ListAsync(default));
        Assert.False(File.Exists(journal.Path));
    }

    [Fact]
    public async Task Values_of_others_survive_publish_and_clean_up_with_their_ttl()
    {
        await using var route53 = await EmulatedRoute53.StartAsync(servers.First.Client);
        var zone = route53.Emulator.AddHostedZone($"{_run}.test");
        var name = $"_acme-challenge.{_run}.test.";
        await route53.Emulator.SeedRecordSetAsync(zone, name, "TXT", 300, ["\"someone-else\""]);
        var (solver, _, _) = Create(route53, servers.First);
        DnsChallengeRecord[] records = [new($"{_run}.test", name, "ours")];

        await WithLogs(() => solver.PresentAsync(records, default));
        Assert.Equal(new Route53RecordSet(name, "TXT", 300, ["\"someone-else\"", "\"ours\""]), route53.FindTxt(zone, name), RecordSetComparer.Instance);

        await solver.CleanUpAsync(records, default);
        Assert.Equal(new Route53RecordSet(name, "TXT", 300, ["\"someone-else\""]), route53.FindTxt(zone, name), RecordSetComparer.Instance);
    }

    [Fact]
    public async Task A_nameserver_lacking_a_value_fails_the_presentation_naming_server_and_value()
    {
        // Route53 publishes to no server here: the "authoritative server" only ever gets one of the two values.
        await using var route53 = await EmulatedRoute53.StartAsync(publishTo: null);
        route53.Emulator.AddHostedZone($"{_run}.test");
        var name = $"_acme-challenge.{_run}.test";
        await servers.First.Client.AddTxtAsync(name, "visible");
        var (solver, _, _) = Create(route53, servers.First, timeout: TimeSpan.FromSeconds(2));

        var error = await Assert.ThrowsAsync<PropagationTimeoutException>(() => solver.PresentAsync(
            [new($"{_run}.test", name, "visible"), new($"*.{_run}.test", name, "never-visible")], default));

        output.WriteLine(error.Message);
        var missing = Assert.Single(error.Missing);
        Assert.Equal(("never-visible", servers.First.Endpoint), (missing.Value, missing.Server.ToString()));
        Assert.Contains(servers.First.Endpoint, error.Message, StringComparison.Ordinal);
        Assert.Contains("\"never-visible\"", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\"visible\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_two_nameservers_the_one_lacking_the_value_is_named()
    {
        await using var route53 = await EmulatedRoute53.StartAsync(servers.First.Client, pendingPolls: 1);
        route53.Emulator.AddHostedZone($"{_run}.test");
        var (solver, _, _) = Create(route53, servers.First, servers.Second, timeout: TimeSpan.FromSeconds(2));

        var error = await Assert.ThrowsAsync<PropagationTimeoutException>(() => solver.PresentAsync(
            [new($"{_run}.test", $"_acme-challenge.{_run}.test", "value-1")], default));

        output.WriteLine(error.Message);
        Assert.All(error.Missing, m => Assert.Equal(servers.Second.Endpoint, m.Server.ToString()));
        Assert.Contains($"server {servers.Second.Endpoint} lacks _acme-challenge.{_run}.test. TXT \"value-1\"", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(servers.First.Endpoint, error.Message, StringComparison.Ordinal);

        // Once the second server has it too, the same records present fine.
        await servers.Second.Client.AddTxtAsync($"_acme-challenge.{_run}.test", "value-1");
        await WithLogs(() => solver.PresentAsync([new($"{_run}.test", $"_acme-challenge.{_run}.test", "value-1")], default));
    }

    [Fact]
    public async Task A_change_that_never_gets_insync_times_out_naming_zone_and_change()
    {
        await using var route53 = await EmulatedRoute53.StartAsync(servers.First.Client, pendingPolls: int.MaxValue);
        var zone = route53.Emulator.AddHostedZone($"{_run}.test");
        var (solver, journal, _) = Create(route53, servers.First, timeout: TimeSpan.FromSeconds(1));
        DnsChallengeRecord[] records = [new($"{_run}.test", $"_acme-challenge.{_run}.test", "v")];

        var error = await Assert.ThrowsAsync<Route53ChangeTimeoutException>(() => solver.PresentAsync(records, default));

        Assert.Equal(zone, error.HostedZoneId);
        Assert.Contains($"{_run}.test.", error.Message, StringComparison.Ordinal);
        Assert.Contains(error.ChangeId, error.Message, StringComparison.Ordinal);
        Assert.Single(await journal.ListAsync(default));
        await solver.CleanUpAsync(records, default);
        Assert.Empty(await journal.ListAsync(default));
    }

    [Fact]
    public async Task A_cname_delegated_challenge_name_gets_its_txt_in_the_zone_of_the_target()
    {
        await using var route53 = await EmulatedRoute53.StartAsync(servers.First.Client, pendingPolls: 1);
        var customer = route53.Emulator.AddHostedZone($"{_run}-customer.test");
        var validation = route53.Emulator.AddHostedZone($"{_run}-validation.test");
        var name = $"_acme-challenge.{_run}-customer.test";
        var target = $"{_run}-customer.{_run}-validation.test.";
        await servers.First.Client.AddCnameAsync(name, target);
        var (solver, journal, log) = Create(route53, servers.First);
        DnsChallengeRecord[] records = [new($"{_run}-customer.test", name, "delegated-value")];

        await WithLogs(() => solver.PresentAsync(records, default));

        Assert.Empty(route53.ChangesTo(customer));
        var change = Assert.Single(Assert.Single(route53.ChangesTo(validation)).Changes);
        Assert.Equal(target, change.RecordSet.Name);
        Assert.Equal(target, Assert.Single(await journal.ListAsync(default)).TargetName);
        Assert.Single(log.Named("ChallengeCnameFollowed"));

        // Clean-up finds the target through the journal even when the CNAME is gone by then.
        await servers.First.Client.ClearCnameAsync(name);
        await solver.CleanUpAsync(records, default);
        Assert.Null(route53.FindTxt(validation, target));
    }

    [Fact]
    public async Task A_crashed_run_leaves_journal_entries_that_RecoverAsync_cleans()
    {
        await using var route53 = await EmulatedRoute53.StartAsync(servers.First.Client);
        var zone = route53.Emulator.AddHostedZone($"{_run}.test");
        var name = $"_acme-challenge.{_run}.test.";
        await route53.Emulator.SeedRecordSetAsync(zone, name, "TXT", 60, ["\"keep-me\""]);
        var (crashed, _, _) = Create(route53, servers.First);
        await WithLogs(() => crashed.PresentAsync([new($"{_run}.test", name, "left-behind")], default));
        // ... and the process dies here: no CleanUpAsync.

        using var journal = new FileChallengeJournal(_stateDirectory);
        Assert.Equal("left-behind", Assert.Single(await journal.ListAsync(default)).Value);
        var (nextRun, _, log) = Create(route53, servers.First);

        Assert.Equal(1, await nextRun.RecoverAsync(default));

        Assert.Equal(["\"keep-me\""], route53.FindTxt(zone, name)!.Values);
        Assert.Empty(await journal.ListAsync(default));
        Assert.Single(log.Named("ChallengeJournalRecovering"));
        Assert.Equal(0, await nextRun.RecoverAsync(default));
    }

    [Fact]
    public async Task A_failed_clean_up_throws_its_own_typed_error_and_keeps_the_journal_entries()
    {
        await using var route53 = await EmulatedRoute53.StartAsync(servers.First.Client);
        var zoneA = route53.Emulator.AddHostedZone($"{_run}-a.test");
        var zoneB = route53.Emulator.AddHostedZone($"{_run}-b.test");
        var (solver, journal, log) = Create(route53, servers.First);
        DnsChallengeRecord[] records =
        [
            new($"{_run}-a.test", $"_acme-challenge.{_run}-a.test", "a"),
            new($"{_run}-b.test", $"_acme-challenge.{_run}-b.test", "b"),
        ];
        await WithLogs(() => solver.PresentAsync(records, default));
        route53.Emulator.Faults.Enqueue(Route53Fault.AccessDenied, Route53Operation.ChangeResourceRecordSets, hostedZoneId: zoneA);

        var error = await Assert.ThrowsAsync<ChallengeCleanUpException>(() => solver.CleanUpAsync(records, default));

        Assert.Equal($"{_run}-a.test.", Assert.Single(error.Failures).Zone);
        Assert.IsType<AwsServiceException>(error.InnerException);
        Assert.Contains("AccessDenied", error.Message, StringComparison.Ordinal);
        Assert.Equal(3006, Assert.Single(log.Named("ChallengeCleanUpFailed")).EventId.Id);
        // Zone B was still cleaned; zone A's value stays, and so does its journal entry.
        Assert.Null(route53.FindTxt(zoneB, $"_acme-challenge.{_run}-b.test"));
        Assert.NotNull(route53.FindTxt(zoneA, $"_acme-challenge.{_run}-a.test"));
        Assert.Equal("a", Assert.Single(await journal.ListAsync(default)).Value);

        Assert.Equal(0, route53.Emulator.Faults.QueuedCount);
        Assert.Equal(1, await solver.RecoverAsync(default));
        Assert.Null(route53.FindTxt(zoneA, $"_acme-challenge.{_run}-a.test"));
    }

    [Fact]
    public async Task Clean_up_reads_again_when_the_set_changed_between_read_and_write()
    {
        await using var route53 = await EmulatedRoute53.StartAsync(servers.First.Client);
        var zone = route53.Emulator.AddHostedZone($"{_run}.test");
        var (solver, journal, _) = Create(route53, servers.First);
        DnsChallengeRecord[] records = [new($"{_run}.test", $"_acme-challenge.{_run}.test", "v")];
        await WithLogs(() => solver.PresentAsync(records, default));
        route53.Emulator.Faults.Enqueue(Route53Fault.InvalidChangeBatch, Route53Operation.ChangeResourceRecordSets);

        await solver.CleanUpAsync(records, default);

        Assert.Equal(3, route53.ChangesTo(zone).Count);
        Assert.Equal("InvalidChangeBatch", route53.ChangesTo(zone)[1].ErrorCode);
        Assert.Null(route53.FindTxt(zone, $"_acme-challenge.{_run}.test"));
        Assert.Empty(await journal.ListAsync(default));
    }

    [Fact]
    public async Task A_zone_with_more_changes_than_one_request_allows_is_split_and_each_batch_logged()
    {
        await using var route53 = await EmulatedRoute53.StartAsync(servers.First.Client, pendingPolls: 1);
        var zone = route53.Emulator.AddHostedZone($"{_run}.test");
        // Three new sets are three CREATEs: two fit in a request of at most two changes.
        var (solver, _, log) = Create(route53, servers.First, limits: new Route53ChangeLimits(MaxChanges: 2));
        DnsChallengeRecord[] records = [.. Enumerable.Range(0, 3).Select(i => new DnsChallengeRecord($"n{i}.{_run}.test", $"_acme-challenge.n{i}.{_run}.test", $"v{i}"))];

        await WithLogs(() => solver.PresentAsync(records, default));

        Assert.Equal([2, 1], route53.ChangesTo(zone).Select(r => r.Changes.Count));
        Assert.Equal(2, log.Named("ChallengeRecordsPublished").Count);
    }

    [Fact]
    public async Task Clean_up_without_presentation_changes_nothing_and_does_not_throw()
    {
        await using var route53 = await EmulatedRoute53.StartAsync(servers.First.Client);
        var zone = route53.Emulator.AddHostedZone($"{_run}.test");
        await route53.Emulator.SeedRecordSetAsync(zone, $"_acme-challenge.{_run}.test.", "TXT", 60, ["\"other\""]);
        var (solver, _, _) = Create(route53, servers.First);

        await solver.CleanUpAsync(
            [new($"{_run}.test", $"_acme-challenge.{_run}.test", "never-published"), new("nozone.invalid", "_acme-challenge.nozone.invalid", "x")],
            default);

        Assert.Empty(route53.Emulator.ChangeLog);
    }

    [Fact]
    public async Task No_hosted_zone_fails_before_anything_is_journalled_or_sent()
    {
        await using var route53 = await EmulatedRoute53.StartAsync(servers.First.Client);
        route53.Emulator.AddHostedZone("unrelated.test");
        var (solver, journal, _) = Create(route53, servers.First);

        var error = await Assert.ThrowsAsync<HostedZoneNotFoundException>(
            () => solver.PresentAsync([new($"{_run}.test", $"_acme-challenge.{_run}.test", "v")], default));

        Assert.Contains($"{_run}.test.", error.Message, StringComparison.Ordinal);
        Assert.Empty(route53.Emulator.ChangeLog);
        Assert.Empty(await journal.ListAsync(default));
    }

    private (Route53DnsChallengeSolver Solver, FileChallengeJournal Journal, CapturingLogger<Route53DnsChallengeSolver> Log) Create(
        EmulatedRoute53 route53, StandaloneChallTestSrv server, StandaloneChallTestSrv? second = null, TimeSpan? timeout = null, Route53ChangeLimits? limits = null)
    {
        var options = new Route53SolverOptions
        {
            Nameservers = second is null ? [server.Endpoint] : [server.Endpoint, second.Endpoint],
            PropagationTimeout = timeout ?? TimeSpan.FromSeconds(20),
            InitialPollInterval = TimeSpan.FromMilliseconds(20),
            MaxPollInterval = TimeSpan.FromMilliseconds(200),
            DnsQueryTimeout = TimeSpan.FromSeconds(1),
            ChangeLimits = limits ?? Route53ChangeLimits.Default,
        };
        var journal = new FileChallengeJournal(_stateDirectory);
        var log = new CapturingLogger<Route53DnsChallengeSolver>();
        var cnames = new DnsCnameResolver(DnsServer.ParseAll([server.Endpoint]), TimeSpan.FromSeconds(1));
        return (Route53SolverFactory.Build(route53.Client, options, journal, TimeProvider.System, log, cnames), journal, log);
    }

    private static async Task<IReadOnlyList<string>> TxtAsync(StandaloneChallTestSrv server, string name)
    {
        var dns = new LookupClient(new LookupClientOptions(new NameServer(IPAddress.Loopback, server.DnsPort)) { UseCache = false });
        var answer = await dns.QueryAsync(name, QueryType.TXT);
        return [.. answer.Answers.TxtRecords().Select(r => string.Concat(r.Text)).Order(StringComparer.Ordinal)];
    }

    private Task WithLogs(Func<Task> body) =>
        FailureReport.WithLogsAsync(output, () => servers.First.Logs + servers.Second.Logs, body);

    private sealed class RecordSetComparer : IEqualityComparer<Route53RecordSet?>
    {
        public static RecordSetComparer Instance { get; } = new();

        public bool Equals(Route53RecordSet? x, Route53RecordSet? y) =>
            x is not null && y is not null && x.Name == y.Name && x.Type == y.Type && x.Ttl == y.Ttl && x.Values.SequenceEqual(y.Values);

        public int GetHashCode(Route53RecordSet? obj) => obj?.Name.GetHashCode(StringComparison.Ordinal) ?? 0;
    }
}
