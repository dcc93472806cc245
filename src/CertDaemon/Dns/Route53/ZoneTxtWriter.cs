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
/// Two guards against losing another writer's value. Within one state directory, read-modify-write is serialised per
/// zone by <see cref="ZoneWriteLocks"/> (every solver and process) or, without them, by this instance's own gates.
/// Across state directories (two hosts sharing a hosted zone, a fleet instance and a manual run elsewhere) no lock is
/// shared, so every write is a compare-and-swap: the batch deletes each set exactly as read and creates its new form,
/// and Route53 refuses it whole (InvalidChangeBatch) if the set changed meanwhile. Then the sets are read again, merged
/// again and sent again, at most <see cref="MaxAttempts"/> times.
/// </remarks>
internal sealed class ZoneTxtWriter(
    IRoute53Client route53, long ttl, Route53ChangeLimits limits, ZoneWriteLocks? zoneLocks, ZoneRecordSetCounts recordSetCounts,
    TimeProvider time, ILogger logger)
{
    /// <summary>
    /// Reads, merges and writes of one change before its conflict is an error. Each conflict means another writer's
    /// change went through, so this bounds how many concurrent writers of one name we outlast, not a wait.
    /// </summary>
    public const int MaxAttempts = 6;

    private const string TxtType = "TXT";
    private const string ChangeComment = "certdaemon dns-01 challenge";

    /// <summary>Route53's largest ListResourceRecordSets page.</summary>
    private const int ZonePageSize = 300;

    /// <summary>The longest pause before reading again after a conflict (a random share of it, so rivals spread out).</summary>
    private static readonly TimeSpan MaxConflictPause = TimeSpan.FromMilliseconds(400);

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _zoneGates = new(StringComparer.Ordinal);

    /// <summary>Adds the entries' values to their sets; returns the changes Route53 accepted (to wait for INSYNC).</summary>
    public async Task<List<ChangeInfo>> PublishAsync(string zoneId, string zoneName, List<ChallengeJournalEntry> entries, CancellationToken cancellationToken)
    {
        var submitted = new List<ChangeInfo>();
        await SwapAsync(zoneId, entries, TxtRecordSetMerge.Publish, async batch =>
        {
            var change = await route53.ChangeResourceRecordSetsAsync(zoneId, batch, cancellationToken);
            logger.ChallengeRecordsPublished(zoneName, change.Id, NamesOf(batch));
            submitted.Add(change);
        }, cancellationToken);
        return submitted;
    }

    /// <summary>Removes exactly the entries' values; a value already gone is no error.</summary>
    public async Task RemoveAsync(string zoneId, string zoneName, List<ChallengeJournalEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var changed = await SwapAsync(zoneId, entries, (current, values, _) => TxtRecordSetMerge.CleanUp(current, values), async batch =>
        {
            var change = await route53.ChangeResourceRecordSetsAsync(zoneId, batch, cancellationToken);
            logger.ChallengeRecordsRemoved(zoneName, change.Id, NamesOf(batch));
        }, cancellationToken);
        if (!changed)
        {
            logger.ChallengeCleanUpNothingToDo(NamesOf(entries), "the values are already gone");
        }
    }

    /// <summary>
    /// Under the zone lock: read the sets, compute the changes, send them; on a conflict (the batch's DELETE no longer
    /// matches, or its CREATE meets a set someone created) read again and recompute, up to <see cref="MaxAttempts"/>.
    /// Batches already sent stay applied; the recomputation sees them and does not repeat them. False when nothing
    /// needed changing.
    /// </summary>
    private async Task<bool> SwapAsync(
        string zoneId, List<ChallengeJournalEntry> entries,
        Func<IEnumerable<ResourceRecordSet>, IEnumerable<TxtRecordValue>, long, IReadOnlyList<ResourceRecordSetChange>> merge,
        Func<ChangeBatch, Task> send, CancellationToken cancellationToken)
    {
        using (await LockZoneAsync(zoneId, cancellationToken))
        {
            var values = entries.Select(e => new TxtRecordValue(e.TargetName, e.Value)).ToList();
            var changedAnything = false;
            for (var attempt = 1; ; attempt++)
            {
                var current = await ReadTxtSetsAsync(zoneId, values, cancellationToken);
                var changes = merge(current, values, ttl);
                if (changes.Count == 0)
                {
                    return changedAnything;
                }

                try
                {
                    foreach (var batch in TxtRecordSetMerge.SplitIntoBatches(changes, limits, ChangeComment))
                    {
                        await send(batch);
                        changedAnything = true;
                    }

                    return true;
                }
                catch (AwsServiceException e) when (attempt < MaxAttempts && e.Code == "InvalidChangeBatch")
                {
                    // Another writer (another host: we hold the zone lock here) changed a set between our read and our
                    // write, and Route53 refused the whole batch: nothing of it applied. Read again and merge again.
                    logger.ChallengeRecordSetChangedMeanwhile(zoneId, NamesOf(entries), attempt, e.Message);
                    await Task.Delay(MaxConflictPause * Random.Shared.NextDouble(), time, cancellationToken);
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

    private static List<string> NamesOf(List<ChallengeJournalEntry> entries) =>
        [.. entries.Select(e => DnsName.Normalize(e.TargetName)).Distinct(StringComparer.Ordinal)];

    private sealed class GateRelease(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
