using System.Collections.Concurrent;
using CertDaemon.Aws.Route53;

namespace CertDaemon.Dns.Route53;

/// <summary>
/// Finds the hosted zone a record name is written to: the longest zone name that is the name itself or one of its
/// parents, among public zones (private ones too when allowed), or a configured zone id.
/// </summary>
/// <remarks>
/// Each candidate is looked up with ListHostedZonesByName(dnsname=candidate, maxitems=1), which lists zones in
/// reversed-label order <i>starting at</i> that name: only an exact name match counts. Answers (including "no zone
/// of that name") are cached for the lifetime of the instance, so one instance serves one run, not the daemon's life.
/// </remarks>
internal sealed class HostedZoneResolver
{
    private const string HostedZonePrefix = "/hostedzone/";

    private readonly IRoute53Client _route53;
    private readonly bool _privateZones;
    // Only answers are cached, never failures: a throttled or cancelled lookup is asked again next time.
    private readonly ConcurrentDictionary<string, HostedZone?> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HostedZoneDetails> _details = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlyList<HostedZone>?> _blocks = new(StringComparer.Ordinal);

    /// <param name="route53">The client.</param>
    /// <param name="privateZones">Whether private zones may be chosen (<c>Route53.PrivateZones</c>).</param>
    public HostedZoneResolver(IRoute53Client route53, bool privateZones)
    {
        _route53 = route53;
        _privateZones = privateZones;
    }

    /// <summary>
    /// The zone <paramref name="name"/> is written to. With <paramref name="hostedZoneId"/> that zone, after
    /// checking the name lies inside it (<see cref="HostedZoneMismatchException"/>); otherwise the longest matching
    /// zone (<see cref="HostedZoneNotFoundException"/> when there is none).
    /// </summary>
    public async Task<HostedZone> ResolveAsync(string name, string? hostedZoneId, CancellationToken cancellationToken)
    {
        var normalized = DnsName.Normalize(name);
        if (!string.IsNullOrWhiteSpace(hostedZoneId))
        {
            var id = hostedZoneId.Trim();
            id = id.StartsWith(HostedZonePrefix, StringComparison.OrdinalIgnoreCase) ? id[HostedZonePrefix.Length..] : id;
            var details = await GetDetailsAsync(id, cancellationToken);
            if (!DnsName.IsInside(normalized, details.Zone.Name))
            {
                throw new HostedZoneMismatchException(normalized, id, DnsName.Normalize(details.Zone.Name));
            }

            return details.Zone;
        }

        // One listing finds every zone under the name's two-label suffix: Route53 sorts zones by reversed labels, so
        // all zones inside "example.com" follow it contiguously. 100 names of one domain cost one call, not 200.
        var candidates = DnsName.SelfAndParents(normalized).ToList();
        var block = await ZonesUnderAsync(candidates[^Math.Min(2, candidates.Count)], cancellationToken);
        if (block is not null)
        {
            foreach (var candidate in candidates)
            {
                var zone = Pick(block.Where(z => DnsName.Normalize(z.Name) == candidate));
                if (zone is not null)
                {
                    return zone;
                }
            }
        }

        var tried = new List<string>();
        foreach (var candidate in candidates)
        {
            tried.Add(candidate);
            if (block is not null && DnsName.IsInside(candidate, candidates[^Math.Min(2, candidates.Count)]))
            {
                continue; // the block already answered for every name inside the anchor
            }

            if (!_byName.TryGetValue(candidate, out var zone))
            {
                zone = await FindExactAsync(candidate, cancellationToken);
                _byName[candidate] = zone;
            }

            if (zone is not null)
            {
                return zone;
            }
        }

        throw new HostedZoneNotFoundException(normalized, tried, _privateZones);
    }

    /// <summary>GetHostedZone, cached: the zone and its authoritative nameservers.</summary>
    public async Task<HostedZoneDetails> GetDetailsAsync(string hostedZoneId, CancellationToken cancellationToken)
    {
        if (!_details.TryGetValue(hostedZoneId, out var details))
        {
            details = await _route53.GetHostedZoneAsync(hostedZoneId, cancellationToken);
            _details[hostedZoneId] = details;
        }

        return details;
    }

    /// <summary>
    /// Every zone equal to or inside <paramref name="anchor"/> (one ListHostedZonesByName of up to 100), or null when
    /// there are more than one page holds: then each name is looked up on its own.
    /// </summary>
    private async Task<IReadOnlyList<HostedZone>?> ZonesUnderAsync(string anchor, CancellationToken cancellationToken)
    {
        if (_blocks.TryGetValue(anchor, out var cached))
        {
            return cached;
        }

        const int PageSize = 100;
        var zones = await _route53.ListHostedZonesByNameAsync(anchor, PageSize, cancellationToken);
        var inside = zones.Where(z => DnsName.IsInside(DnsName.Normalize(z.Name), anchor)).ToList();
        // Zones inside the anchor sort right after it (their reversed names share its prefix), whether Route53 compares
        // label by label or as strings. A full page is complete only when its last zone already sorts past them.
        var complete = zones.Count < PageSize
            || string.CompareOrdinal(Reversed(zones[^1].Name), Reversed(anchor) + ".\uffff") > 0;
        IReadOnlyList<HostedZone>? block = complete ? inside : null;
        _blocks[anchor] = block;
        return block;
    }

    /// <summary><c>www.example.com.</c> as Route53 sorts it: <c>com.example.www</c>.</summary>
    private static string Reversed(string name) => string.Join('.', DnsName.Normalize(name).TrimEnd('.').Split('.').Reverse());

    /// <summary>Of the zones with one name, the public one (or a private one when private zones are allowed).</summary>
    private HostedZone? Pick(IEnumerable<HostedZone> sameName)
    {
        var zones = sameName.ToList();
        return zones.FirstOrDefault(z => !z.PrivateZone) ?? (_privateZones ? zones.FirstOrDefault() : null);
    }

    private async Task<HostedZone?> FindExactAsync(string candidate, CancellationToken cancellationToken)
    {
        var zones = await _route53.ListHostedZonesByNameAsync(candidate, 1, cancellationToken);
        var first = zones.FirstOrDefault(z => DnsName.Normalize(z.Name) == candidate);
        if (first is null)
        {
            return null;
        }

        if (!first.PrivateZone || _privateZones)
        {
            return first;
        }

        // A private zone sorts first; a public zone of the same name may follow it (same name, other id).
        zones = await _route53.ListHostedZonesByNameAsync(candidate, 100, cancellationToken);
        return zones.TakeWhile(z => DnsName.Normalize(z.Name) == candidate).FirstOrDefault(z => !z.PrivateZone);
    }
}
