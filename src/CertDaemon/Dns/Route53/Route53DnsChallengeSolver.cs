using CertDaemon.Aws;
using CertDaemon.Aws.Route53;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Dns.Route53;

/// <summary>
/// DNS-01 through Route53: one ChangeResourceRecordSets per hosted zone (split only at Route53's limits), wait for
/// INSYNC, then wait until every nameserver of each zone answers every value. This class orders the steps; each
/// step is its own collaborator, built by <see cref="Route53SolverFactory"/>.
/// </summary>
/// <remarks>
/// <para>Publication is journalled <b>before</b> anything is sent (<see cref="IChallengeJournal"/>), and each
/// clean-up removes its entries once Route53 accepted the removal. <see cref="RecoverAsync(CancellationToken)"/> removes what a crashed
/// run left; call it once at start, before any <see cref="PresentAsync"/> of this process.</para>
/// <para>Values of others on the same names survive both directions (<see cref="TxtRecordSetMerge"/>). Read-modify-write
/// of a zone is serialised by <see cref="ZoneWriteLocks"/> across every solver and process sharing the state directory, so
/// concurrent runs on one name (an apex and its wildcard as two certificates) merge their values and never drop each
/// other's. Each entry names its owning run (<see cref="Owner"/>); clean-up and recovery remove only values of their
/// own or of dead runs, and never a value another run's entry still claims.</para>
/// </remarks>
internal sealed class Route53DnsChallengeSolver(
    ChallengePlanner planner,
    IChallengeJournal journal,
    ZoneTxtWriter writer,
    Route53ChangeWaiter changes,
    AuthoritativeServerCheck authoritativeServers,
    JournaledValueRemover remover,
    ChallengeJournalRecovery recovery,
    ChallengeRunOwner? owner,
    TimeSpan propagationTimeout,
    TimeProvider timeProvider,
    ILogger logger) : IDnsChallengeSolver
{
    /// <summary>The run whose values this solver publishes (journal entries name it); null for an anonymous run, whose
    /// entries any recovery may remove.</summary>
    internal ChallengeRunOwner? Owner => owner;

    /// <inheritdoc />
    /// <exception cref="HostedZoneNotFoundException">No usable hosted zone holds a (CNAME-followed) name.</exception>
    /// <exception cref="HostedZoneMismatchException">The configured zone does not contain a name.</exception>
    /// <exception cref="CnameResolutionException">A CNAME chain could not be followed.</exception>
    /// <exception cref="Route53ChangeTimeoutException">A change stayed PENDING for <see cref="Route53SolverOptions.PropagationTimeout"/>.</exception>
    /// <exception cref="PropagationTimeoutException">Some nameserver lacked some value at the timeout; the message names them.</exception>
    /// <exception cref="AwsServiceException">Route53 refused a call.</exception>
    public async Task PresentAsync(IReadOnlyList<DnsChallengeRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        var entries = await planner.PlanAsync(records, owner, cancellationToken);
        await journal.RecordPendingAsync(entries, cancellationToken);

        var started = timeProvider.GetUtcNow();
        var deadline = started + propagationTimeout;
        var zones = entries.GroupBy(e => (e.HostedZoneId, e.ZoneName)).ToList();
        var pendingChanges = new List<(string ZoneName, string ZoneId, ChangeInfo Change)>();
        foreach (var zone in zones)
        {
            foreach (var change in await writer.PublishAsync(zone.Key.HostedZoneId, zone.Key.ZoneName, [.. zone], cancellationToken))
            {
                pendingChanges.Add((zone.Key.ZoneName, zone.Key.HostedZoneId, change));
            }
        }

        foreach (var (zoneName, zoneId, change) in pendingChanges)
        {
            await changes.WaitInSyncAsync(zoneName, zoneId, change, started, deadline, cancellationToken);
        }

        foreach (var zone in zones)
        {
            var expected = zone.Select(e => new TxtRecordValue(e.TargetName, e.Value)).ToList();
            await authoritativeServers.WaitUntilVisibleAsync(zone.Key.HostedZoneId, zone.Key.ZoneName, expected, started, deadline, cancellationToken);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// One ChangeResourceRecordSets per zone that still holds any of the values (none when all are gone), removing
    /// only those values. Names are located through the journal when it has them (no DNS needed), else looked up
    /// again; a name for which no zone exists cannot hold our values and is skipped. Every zone is attempted even when
    /// one fails; then <see cref="ChallengeCleanUpException"/> is thrown naming the failed zones, whose journal
    /// entries are kept for <see cref="RecoverAsync(CancellationToken)"/>. This is the clean-up's own error: a caller that is already
    /// failing with another error logs this one and rethrows its original.
    /// </remarks>
    /// <exception cref="ChallengeCleanUpException">Some zones could not be cleaned.</exception>
    public async Task CleanUpAsync(IReadOnlyList<DnsChallengeRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        var journaled = await remover.TryListJournalAsync(cancellationToken);
        var byRecord = (journaled ?? []).Where(e => e.Owner?.RunId == owner?.RunId).ToLookup(e => (e.RecordName, e.Value));
        var entries = new List<ChallengeJournalEntry>();
        var failures = new List<ChallengeCleanUpFailure>();
        var unjournaled = new List<DnsChallengeRecord>();
        foreach (var record in records)
        {
            var known = byRecord[(DnsName.Normalize(record.RecordName), record.Value)].ToList();
            if (known.Count > 0)
            {
                entries.AddRange(known);
            }
            else
            {
                unjournaled.Add(record);
            }
        }

        if (journaled is not null && unjournaled.Count > 0)
        {
            // Entries are written before anything is sent: a value the journal never listed was never published.
            logger.ChallengeCleanUpNothingToDo(
                [.. unjournaled.Select(r => DnsName.Normalize(r.RecordName)).Distinct(StringComparer.Ordinal)], "never published");
            unjournaled.Clear();
        }

        foreach (var group in unjournaled.GroupBy(r => DnsName.Normalize(r.RecordName), StringComparer.Ordinal))
        {
            try
            {
                entries.AddRange(await planner.PlanAsync([.. group], owner, cancellationToken));
            }
            catch (Exception e) when (e is HostedZoneNotFoundException or HostedZoneMismatchException)
            {
                // Publication cannot have happened for a name without a zone: nothing of ours is there.
                logger.ChallengeCleanUpNothingToDo([group.Key], e.Message);
            }
            catch (Exception e) when (!JournaledValueRemover.IsCancellation(e, cancellationToken))
            {
                logger.ChallengeCleanUpFailed(e, group.Key, [group.Key]);
                failures.Add(new ChallengeCleanUpFailure(group.Key, [group.Key], e));
            }
        }

        failures.AddRange(await remover.RemoveAsync(entries.DistinctBy(e => e.Key).ToList(), cancellationToken));
        if (failures.Count > 0)
        {
            throw new ChallengeCleanUpException(failures);
        }
    }

    /// <summary>
    /// Removes every value the journal lists whose owning run is dead (it crashed or could not clean up) and returns
    /// how many there were. Values of live runs, in this process or another, are left alone.
    /// </summary>
    /// <exception cref="ChallengeCleanUpException">Some zones could not be cleaned; their entries stay.</exception>
    public Task<int> RecoverAsync(CancellationToken cancellationToken) => recovery.RecoverAsync(_ => true, cancellationToken);

    /// <summary>
    /// Like <see cref="RecoverAsync(CancellationToken)"/> for the entries <paramref name="select"/> picks: a caller that
    /// holds a certificate's run lock may clean that certificate's own leftovers while other certificates are in flight.
    /// </summary>
    public Task<int> RecoverAsync(Func<ChallengeJournalEntry, bool> select, CancellationToken cancellationToken) =>
        recovery.RecoverAsync(select, cancellationToken);
}
