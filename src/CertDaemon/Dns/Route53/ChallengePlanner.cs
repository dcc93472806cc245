using Microsoft.Extensions.Logging;

namespace CertDaemon.Dns.Route53;

/// <summary>
/// Decides where each challenge value is written: follows the challenge name's CNAME delegation, finds the hosted
/// zone of the target (or checks it against the configured zone), and returns one journal entry per distinct
/// (zone, target, value). Writes nothing.
/// </summary>
internal sealed class ChallengePlanner(
    ICnameResolver cnames, HostedZoneResolver zones, string? hostedZoneId, ZoneRecordSetCounts recordSetCounts, TimeProvider time, ILogger logger)
{
    /// <exception cref="HostedZoneNotFoundException">No usable hosted zone holds a (CNAME-followed) name.</exception>
    /// <exception cref="HostedZoneMismatchException">The configured zone does not contain a name.</exception>
    /// <exception cref="CnameResolutionException">A CNAME chain could not be followed.</exception>
    public async Task<List<ChallengeJournalEntry>> PlanAsync(
        IReadOnlyList<DnsChallengeRecord> records, ChallengeRunOwner? owner, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var entries = new List<ChallengeJournalEntry>();
        foreach (var group in records.GroupBy(r => DnsName.Normalize(r.RecordName), StringComparer.Ordinal))
        {
            var target = await cnames.ResolveAsync(group.Key, cancellationToken);
            if (target != group.Key)
            {
                logger.ChallengeCnameFollowed(group.Key, target);
            }

            var zone = await zones.ResolveAsync(target, hostedZoneId, cancellationToken);
            var zoneName = DnsName.Normalize(zone.Name);
            recordSetCounts.Remember(zone.Id, zone.ResourceRecordSetCount);
            logger.HostedZoneResolved(target, zoneName, zone.Id);
            entries.AddRange(group.Select(r => new ChallengeJournalEntry(zone.Id, zoneName, group.Key, target, r.Value, now, owner)));
        }

        return [.. entries.DistinctBy(e => e.Key)];
    }
}
