using System.Collections.Concurrent;
using CertDaemon.Aws;
using CertDaemon.Aws.Route53;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Dns.Route53;

/// <summary>
/// Adds challenge values to, and removes them from, one hosted zone's TXT sets: under the zone's write lock it reads
/// the current sets, merges (<see cref="TxtRecordSetMerge"/>: values of others survive) and sends the result in as
/// few ChangeResourceRecordSets as Route53's limits allow.
/// </summary>
/// <remarks>
/// Route53 replaces a record set whole and has no conditional writes, so read-modify-write is serialised per zone by
/// <see cref="ZoneWriteLocks"/> (every solver and process on the state directory) or, without them, by this
/// instance's own gates.
/// </remarks>
internal sealed class ZoneTxtWriter(
    IRoute53Client route53, long ttl, Route53ChangeLimits limits, ZoneWriteLocks? zoneLocks, ZoneRecordSetCounts recordSetCounts,
    TimeProvider time, ILogger logger)
{
    private const string TxtType = "TXT";
    private const string ChangeComment = "certdaemon dns-01 challenge";

    /// <summary>Route53's largest ListResourceRecordSets page.</summary>
    private const int ZonePageSize = 300;

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _zoneGates = new(StringComparer.Ordinal);

    /// <summary>Adds the entries' values to their sets; returns the changes Route53 accepted (to wait for INSYNC).</summary>
    public async Task<List<ChangeInfo>> PublishAsync(string zoneId, string zoneName, List<ChallengeJournalEntry> entries, CancellationToken cancellationToken)
    {
        using (await LockZoneAsync(zoneId, cancellationToken))
        {
            var values = entries.Select(e => new TxtRecordValue(e.TargetName, e.Value)).ToList();
            var current = await ReadTxtSetsAsync(zoneId, values, cancellationToken);
            var changes = TxtRecordSetMerge.Publish(current, values, ttl);
            var submitted = new List<ChangeInfo>();
            foreach (var batch in TxtRecordSetMerge.SplitIntoBatches(changes, limits, ChangeComment))
            {
                var change = await route53.ChangeResourceRecordSetsAsync(zoneId, batch, cancellationToken);
                logger.ChallengeRecordsPublished(zoneName, change.Id, NamesOf(batch));
                submitted.Add(change);
            }

            return submitted;
        }
    }

    /// <summary>Removes exactly the entries' values; a value already gone is no error.</summary>
    public async Task RemoveAsync(string zoneId, string zoneName, List<ChallengeJournalEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return;
        }

        using (await LockZoneAsync(zoneId, cancellationToken))
        {
            var values = entries.Select(e => new TxtRecordValue(e.TargetName, e.Value)).ToList();
            for (var attempt = 1; ; attempt++)
            {
                var current = await ReadTxtSetsAsync(zoneId, values, cancellationToken);
                var changes = TxtRecordSetMerge.CleanUp(current, values);
                if (changes.Count == 0)
                {
                    logger.ChallengeCleanUpNothingToDo([.. values.Select(v => v.Name).Distinct(StringComparer.Ordinal)], "the values are already gone");
                    return;
                }

                try
                {
                    foreach (var batch in TxtRecordSetMerge.SplitIntoBatches(changes, limits, ChangeComment))
                    {
                        var change = await route53.ChangeResourceRecordSetsAsync(zoneId, batch, cancellationToken);
                        logger.ChallengeRecordsRemoved(zoneName, change.Id, NamesOf(batch));
                    }

                    return;
                }
                catch (AwsServiceException e) when (attempt == 1 && e.Code == "InvalidChangeBatch")
                {
                    // The set changed between our read and our write (a DELETE must match exactly): read again, once.
                    logger.ChallengeCleanUpNothingToDo([.. values.Select(v => v.Name).Distinct(StringComparer.Ordinal)], "record set changed meanwhile, reading it again: " + e.Message);
                }
            }
        }
    }

    /// <summary>Exclusive read-modify-write of one zone: process- and state-directory-wide with the zone locks, else this instance's.</summary>
    private async Task<IDisposable> LockZoneAsync(string zoneId, CancellationToken cancellationToken)
    {
        if (zoneLocks is not null)
        {
            return await zoneLocks.AcquireAsync(zoneId, time, cancellationToken);
        }

        var gate = _zoneGates.GetOrAdd(zoneId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        return new GateRelease(gate);
    }

    /// <summary>
    /// The current TXT sets of the given names: one listing of the whole zone when that takes fewer pages (300 record
    /// sets each) than there are names, else one listing from (name, TXT) per name.
    /// </summary>
    private async Task<List<ResourceRecordSet>> ReadTxtSetsAsync(string zoneId, IReadOnlyList<TxtRecordValue> values, CancellationToken cancellationToken)
    {
        var names = values.Select(v => DnsName.Normalize(v.Name)).ToHashSet(StringComparer.Ordinal);
        var sets = new List<ResourceRecordSet>();
        // The count is from zone discovery; our own values may have added up to one set per name since.
        if (recordSetCounts.TryGet(zoneId, out var count) && (count + names.Count + ZonePageSize - 1) / ZonePageSize < names.Count)
        {
            await foreach (var set in route53.ListAllResourceRecordSetsAsync(zoneId, pageSize: ZonePageSize, cancellationToken: cancellationToken))
            {
                if (string.Equals(set.Type, TxtType, StringComparison.OrdinalIgnoreCase) && names.Contains(DnsName.Normalize(set.Name)))
                {
                    sets.Add(set);
                }
            }

            return sets;
        }

        foreach (var name in names)
        {
            sets.AddRange(await route53.GetRecordSetsForNameAsync(zoneId, name, TxtType, cancellationToken));
        }

        return sets;
    }

    private static List<string> NamesOf(ChangeBatch batch) =>
        [.. batch.Changes.Select(c => DnsName.Normalize(c.RecordSet.Name)).Distinct(StringComparer.Ordinal)];

    private sealed class GateRelease(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
