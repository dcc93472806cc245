using CertDaemon.Aws.Route53;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Dns.Route53;

/// <summary>
/// Builds the Route53 DNS-01 solver for one certificate: its own hosted zone and role overrides on top of the
/// process-wide settings, one shared challenge journal, one registry of this process's runs, zone write locks shared
/// with every process on the state directory, and Route53 clients shared per role (one rate budget). The one place
/// the solver's collaborators are put together (<see cref="Build"/>).
/// </summary>
internal sealed class Route53SolverFactory(
    IRoute53ClientFactory clients, Route53SolverOptions defaults, IChallengeJournal journal, ChallengeRunRegistry runs, ZoneWriteLocks zoneLocks,
    TimeProvider time, ILoggerFactory loggerFactory) : IDnsChallengeSolverFactory, IChallengeRecovery
{
    public IChallengeJournal Journal => journal;

    /// <inheritdoc />
    public ChallengeRunRegistry Runs => runs;

    /// <param name="hostedZoneId">The certificate's zone override, if any.</param>
    /// <param name="roleArn">The role to assume for Route53, if any.</param>
    /// <param name="externalId">The role's external id, if any.</param>
    /// <param name="owner">The run publishing through this solver; null for a solver that only recovers leftovers.</param>
    public Route53DnsChallengeSolver Create(string? hostedZoneId, string? roleArn, string? externalId, ChallengeRunOwner? owner = null) =>
        Build(
            clients.Create(roleArn, externalId),
            defaults with { HostedZoneId = hostedZoneId ?? defaults.HostedZoneId },
            journal,
            time,
            loggerFactory.CreateLogger<Route53DnsChallengeSolver>(),
            owner: owner,
            runs: runs,
            zoneLocks: zoneLocks);

    IDnsChallengeSolver IDnsChallengeSolverFactory.Create(string? hostedZoneId, string? roleArn, string? externalId, ChallengeRunOwner? owner) =>
        Create(hostedZoneId, roleArn, externalId, owner);

    /// <inheritdoc />
    public Task<int> RecoverAsync(
        string? hostedZoneId, string? roleArn, string? externalId, Func<ChallengeJournalEntry, bool> select, CancellationToken cancellationToken) =>
        Create(hostedZoneId, roleArn, externalId).RecoverAsync(select, cancellationToken);

    /// <summary>Puts one solver together from its collaborators.</summary>
    /// <param name="route53">The Route53 API (retries and rate limiting are its business).</param>
    /// <param name="options">Timeouts, zone override, private zones, nameservers.</param>
    /// <param name="journal">Where pending values are remembered across crashes.</param>
    /// <param name="timeProvider">The clock for timeouts and poll delays.</param>
    /// <param name="logger">Events from <see cref="DnsLog"/>, for every step.</param>
    /// <param name="cnameResolver">CNAME delegation lookups; <see langword="null"/> uses <see cref="DnsCnameResolver"/>
    /// over <see cref="Route53SolverOptions.Nameservers"/> (or the system resolvers when there are none).</param>
    /// <param name="nameServerAddresses">Addresses of a zone's nameservers; <see langword="null"/> asks the system resolver.</param>
    /// <param name="owner">The run publishing through the solver; null for an anonymous run.</param>
    /// <param name="runs">Which owners are live; null: a registry that knows no run of this process.</param>
    /// <param name="zoneLocks">Zone write locks shared by every solver and process on the state directory; null: the solver's own gates only.</param>
    /// <exception cref="ArgumentException">A <see cref="Route53SolverOptions.Nameservers"/> entry is not <c>ip[:port]</c>.</exception>
    public static Route53DnsChallengeSolver Build(
        IRoute53Client route53, Route53SolverOptions options, IChallengeJournal journal, TimeProvider timeProvider, ILogger logger,
        ICnameResolver? cnameResolver = null, INameServerAddressResolver? nameServerAddresses = null, ChallengeRunOwner? owner = null,
        ChallengeRunRegistry? runs = null, ZoneWriteLocks? zoneLocks = null)
    {
        ArgumentNullException.ThrowIfNull(route53);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        var configuredServers = DnsServer.ParseAll(options.Nameservers);
        var zones = new HostedZoneResolver(route53, options.PrivateZones);
        var recordSetCounts = new ZoneRecordSetCounts();
        var planner = new ChallengePlanner(
            cnameResolver ?? new DnsCnameResolver(configuredServers, options.DnsQueryTimeout), zones, options.HostedZoneId, recordSetCounts, timeProvider, logger);
        var writer = new ZoneTxtWriter(route53, options.Ttl, options.ChangeLimits, zoneLocks, recordSetCounts, timeProvider, logger);
        var changes = new Route53ChangeWaiter(route53, options.InitialPollInterval, options.MaxPollInterval, options.PropagationTimeout, timeProvider, logger);
        var checker = new DnsPropagationChecker(timeProvider, options.DnsQueryTimeout, options.InitialPollInterval, options.MaxPollInterval, logger);
        var authoritativeServers = new AuthoritativeServerCheck(
            zones, configuredServers, nameServerAddresses ?? SystemNameServerAddressResolver.Instance, checker, options.PropagationTimeout, timeProvider, logger);
        var remover = new JournaledValueRemover(journal, writer, logger);
        var recovery = new ChallengeJournalRecovery(journal, runs ?? new ChallengeRunRegistry(), remover, logger);
        return new Route53DnsChallengeSolver(
            planner, journal, writer, changes, authoritativeServers, remover, recovery, owner, options.PropagationTimeout, timeProvider, logger);
    }
}
