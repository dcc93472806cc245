using CertDaemon.Aws.Route53;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Dns.Route53;

/// <summary>
/// Builds the Route53 DNS-01 solver for one certificate: its own hosted zone and role overrides on top of the
/// process-wide settings, one shared challenge journal, one registry of this process's runs, zone write locks shared
/// with every process on the state directory, and Route53 clients shared per role (one rate budget).
/// </summary>
internal sealed class Route53SolverFactory(
    IRoute53ClientFactory clients, Route53SolverOptions defaults, IChallengeJournal journal, ChallengeRunRegistry runs, ZoneWriteLocks zoneLocks,
    TimeProvider time, ILoggerFactory loggerFactory)
{
    public IChallengeJournal Journal => journal;

    /// <summary>This process's challenge runs (begin one while holding the run's lock).</summary>
    public ChallengeRunRegistry Runs => runs;

    /// <param name="hostedZoneId">The certificate's zone override, if any.</param>
    /// <param name="roleArn">The role to assume for Route53, if any.</param>
    /// <param name="externalId">The role's external id, if any.</param>
    /// <param name="owner">The run publishing through this solver; null for a solver that only recovers leftovers.</param>
    public Route53DnsChallengeSolver Create(string? hostedZoneId, string? roleArn, string? externalId, ChallengeRunOwner? owner = null) =>
        new(
            clients.Create(roleArn, externalId),
            defaults with { HostedZoneId = hostedZoneId ?? defaults.HostedZoneId },
            journal,
            cnameResolver: null,
            time,
            loggerFactory.CreateLogger<Route53DnsChallengeSolver>())
        {
            Owner = owner,
            Runs = runs,
            ZoneLocks = zoneLocks,
        };
}
