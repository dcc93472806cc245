using CertDaemon.Aws.Route53;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Dns.Route53;

/// <summary>
/// Builds the Route53 DNS-01 solver for one certificate: its own hosted zone and role overrides on top of the
/// process-wide settings, one shared challenge journal, and Route53 clients shared per role (one rate budget).
/// </summary>
internal sealed class Route53SolverFactory(
    IRoute53ClientFactory clients, Route53SolverOptions defaults, IChallengeJournal journal, TimeProvider time, ILoggerFactory loggerFactory)
{
    public IChallengeJournal Journal => journal;

    public Route53DnsChallengeSolver Create(string? hostedZoneId, string? roleArn, string? externalId) =>
        new(
            clients.Create(roleArn, externalId),
            defaults with { HostedZoneId = hostedZoneId ?? defaults.HostedZoneId },
            journal,
            cnameResolver: null,
            time,
            loggerFactory.CreateLogger<Route53DnsChallengeSolver>());
}
