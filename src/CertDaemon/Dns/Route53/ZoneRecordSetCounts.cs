using System.Collections.Concurrent;

namespace CertDaemon.Dns.Route53;

/// <summary>
/// Each hosted zone's record-set count as zone discovery last saw it: <see cref="ZoneTxtWriter"/> uses it to choose
/// between listing the whole zone and one lookup per name. Shared by the planner and the writer of one solver.
/// </summary>
internal sealed class ZoneRecordSetCounts
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public void Remember(string zoneId, long count) => _counts[zoneId] = count;

    public bool TryGet(string zoneId, out long count) => _counts.TryGetValue(zoneId, out count);
}
