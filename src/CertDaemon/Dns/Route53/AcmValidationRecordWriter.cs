using CertDaemon.Aws.Route53;

namespace CertDaemon.Dns.Route53;

/// <summary>
/// Writes the CNAME records ACM validates a DNS-validated certificate with into Route53: one ChangeResourceRecordSets
/// per hosted zone, UPSERT (idempotent), records already in place left alone. They stay: ACM's managed renewal
/// validates again with the same records, so they are never removed.
/// </summary>
internal sealed class AcmValidationRecordWriter(IRoute53ClientFactory clients, Route53SolverOptions options) : IValidationRecordWriter
{
    /// <summary>The TTL of the validation records (ACM's console uses 300 s too).</summary>
    public const long Ttl = 300;

    private const string ChangeComment = "certdaemon: ACM DNS validation (kept for managed renewal)";

    /// <inheritdoc />
    /// <exception cref="HostedZoneNotFoundException">No usable hosted zone holds a name.</exception>
    /// <exception cref="Aws.AwsServiceException">Route53 refused a call.</exception>
    public async Task<IReadOnlyList<(string Zone, string ChangeId, IReadOnlyList<string> Names)>> WriteAsync(
        IReadOnlyList<(string Name, string Value)> records, string? hostedZoneId, string? roleArn, string? externalId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var route53 = clients.Create(roleArn, externalId);
        var zones = new HostedZoneResolver(route53, options.PrivateZones);
        var wanted = records
            .Select(r => (Name: DnsName.Normalize(r.Name), Value: DnsName.Normalize(r.Value)))
            .DistinctBy(r => r.Name, StringComparer.Ordinal)
            .ToList();
        var byZone = new Dictionary<string, (HostedZone Zone, List<(string Name, string Value)> Records)>(StringComparer.Ordinal);
        foreach (var record in wanted)
        {
            var zone = await zones.ResolveAsync(record.Name, hostedZoneId, cancellationToken);
            if (!byZone.TryGetValue(zone.Id, out var entry))
            {
                byZone[zone.Id] = entry = (zone, []);
            }

            entry.Records.Add(record);
        }

        var written = new List<(string, string, IReadOnlyList<string>)>();
        foreach (var (zoneId, (zone, zoneRecords)) in byZone)
        {
            var changes = new List<ResourceRecordSetChange>();
            foreach (var (name, value) in zoneRecords)
            {
                var existing = await route53.GetRecordSetsForNameAsync(zoneId, name, "CNAME", cancellationToken);
                if (existing.Any(set => set.Values.Any(v => DnsName.Normalize(v) == value)))
                {
                    continue;
                }

                changes.Add(new ResourceRecordSetChange(ChangeAction.Upsert, new ResourceRecordSet(name, "CNAME", Ttl, [value])));
            }

            if (changes.Count == 0)
            {
                continue;
            }

            var change = await route53.ChangeResourceRecordSetsAsync(zoneId, new ChangeBatch(changes, ChangeComment), cancellationToken);
            written.Add((zone.Name, change.Id, [.. changes.Select(c => c.RecordSet.Name)]));
        }

        return written;
    }
}
