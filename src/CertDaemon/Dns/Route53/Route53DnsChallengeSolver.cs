using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using CertDaemon.Aws;
using CertDaemon.Aws.Route53;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Dns.Route53;

/// <summary>
/// DNS-01 through Route53: one ChangeResourceRecordSets per hosted zone (split only at Route53's limits), wait for
/// INSYNC, then wait until every nameserver of each zone answers every value.
/// </summary>
/// <remarks>
/// <para>Publication is journalled <b>before</b> anything is sent (<see cref="IChallengeJournal"/>), and each
/// clean-up removes its entries once Route53 accepted the removal. <see cref="RecoverAsync(CancellationToken)"/> removes what a crashed
/// run left; call it once at start, before any <see cref="PresentAsync"/> of this process.</para>
/// <para>Values of others on the same names survive both directions (<see cref="TxtRecordSetMerge"/>). Read-modify-write
/// of a zone is serialised by <see cref="ZoneLocks"/> across every solver and process sharing the state directory, so
/// concurrent runs on one name (an apex and its wildcard as two certificates) merge their values and never drop each
/// other's. Each entry names its owning run (<see cref="Owner"/>); clean-up and recovery remove only values of their
/// own or of dead runs, and never a value another run's entry still claims.</para>
/// </remarks>
internal sealed class Route53DnsChallengeSolver : IDnsChallengeSolver
{
    private const string TxtType = "TXT";
    private const string ChangeComment = "certdaemon dns-01 challenge";

    /// <summary>Route53's largest ListResourceRecordSets page.</summary>
    private const int ZonePageSize = 300;

    private readonly IRoute53Client _route53;
    private readonly Route53SolverOptions _options;
    private readonly IChallengeJournal _journal;
    private readonly ICnameResolver _cnameResolver;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly HostedZoneResolver _zones;
    private readonly DnsPropagationChecker _checker;
    private readonly IReadOnlyList<DnsServer> _configuredServers;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _zoneGates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlyList<DnsServer>> _zoneServers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _recordSetCounts = new(StringComparer.Ordinal);

    /// <param name="route53">The Route53 API (retries and rate limiting are its business).</param>
    /// <param name="options">Timeouts, zone override, private zones, nameservers.</param>
    /// <param name="journal">Where pending values are remembered across crashes.</param>
    /// <param name="cnameResolver">CNAME delegation lookups; <see langword="null"/> uses <see cref="DnsCnameResolver"/>
    /// over <see cref="Route53SolverOptions.Nameservers"/> (or the system resolvers when there are none).</param>
    /// <param name="timeProvider">The clock for timeouts and poll delays.</param>
    /// <param name="logger">Events from <see cref="DnsLog"/>.</param>
    /// <exception cref="ArgumentException">A <see cref="Route53SolverOptions.Nameservers"/> entry is not <c>ip[:port]</c>.</exception>
    public Route53DnsChallengeSolver(
        IRoute53Client route53, Route53SolverOptions options, IChallengeJournal journal, ICnameResolver? cnameResolver,
        TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(route53);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _route53 = route53;
        _options = options;
        _journal = journal;
        _timeProvider = timeProvider;
        _logger = logger;
        _configuredServers = DnsServer.ParseAll(options.Nameservers);
        _cnameResolver = cnameResolver ?? new DnsCnameResolver(_configuredServers, options.DnsQueryTimeout);
        _zones = new HostedZoneResolver(route53, options.PrivateZones);
        _checker = new DnsPropagationChecker(timeProvider, options.DnsQueryTimeout, options.InitialPollInterval, options.MaxPollInterval, logger);
    }

    /// <summary>The run whose values this solver publishes (journal entries name it); null for an anonymous run, whose
    /// entries any recovery may remove.</summary>
    internal ChallengeRunOwner? Owner { get; init; }

    /// <summary>Which owners are live; share one per process. The default knows no run of this process.</summary>
    internal ChallengeRunRegistry Runs { get; init; } = new();

    /// <summary>Zone write locks shared by every solver and process on the state directory; null: this instance's own gates only.</summary>
    internal ZoneWriteLocks? ZoneLocks { get; init; }

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

        var entries = await PlanAsync(records, cancellationToken);
        await _journal.RecordPendingAsync(entries, cancellationToken);

        var started = _timeProvider.GetUtcNow();
        var deadline = started + _options.PropagationTimeout;
        var zones = entries.GroupBy(e => (e.HostedZoneId, e.ZoneName)).ToList();
        var pendingChanges = new List<(string ZoneName, string ZoneId, ChangeInfo Change)>();
        foreach (var zone in zones)
        {
            foreach (var change in await PublishAsync(zone.Key.HostedZoneId, zone.Key.ZoneName, [.. zone], cancellationToken))
            {
                pendingChanges.Add((zone.Key.ZoneName, zone.Key.HostedZoneId, change));
            }
        }

        foreach (var (zoneName, zoneId, change) in pendingChanges)
        {
            await WaitInSyncAsync(zoneName, zoneId, change, started, deadline, cancellationToken);
        }

        foreach (var zone in zones)
        {
            var servers = await ServersForZoneAsync(zone.Key.HostedZoneId, zone.Key.ZoneName, cancellationToken);
            if (servers.Count == 0)
            {
                continue;
            }

            var expected = zone.Select(e => new TxtRecordValue(e.TargetName, e.Value)).ToList();
            await _checker.WaitUntilVisibleAsync(zone.Key.ZoneName, servers, expected, deadline, _options.PropagationTimeout, cancellationToken);
            _logger.ChallengeRecordsPropagated(zone.Key.ZoneName, [.. servers.Select(s => s.ToString())], _timeProvider.GetUtcNow() - started);
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

        var journaled = await TryListJournalAsync(cancellationToken);
        var byRecord = (journaled ?? []).Where(e => e.Owner?.RunId == Owner?.RunId).ToLookup(e => (e.RecordName, e.Value));
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
            _logger.ChallengeCleanUpNothingToDo(
                [.. unjournaled.Select(r => DnsName.Normalize(r.RecordName)).Distinct(StringComparer.Ordinal)], "never published");
            unjournaled.Clear();
        }

        foreach (var group in unjournaled.GroupBy(r => DnsName.Normalize(r.RecordName), StringComparer.Ordinal))
        {
            try
            {
                entries.AddRange(await PlanAsync([.. group], cancellationToken));
            }
            catch (Exception e) when (e is HostedZoneNotFoundException or HostedZoneMismatchException)
            {
                // Publication cannot have happened for a name without a zone: nothing of ours is there.
                _logger.ChallengeCleanUpNothingToDo([group.Key], e.Message);
            }
            catch (Exception e) when (!IsCancellation(e, cancellationToken))
            {
                _logger.ChallengeCleanUpFailed(e, group.Key, [group.Key]);
                failures.Add(new ChallengeCleanUpFailure(group.Key, [group.Key], e));
            }
        }

        failures.AddRange(await CleanUpEntriesAsync(entries.DistinctBy(e => e.Key).ToList(), cancellationToken));
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
    public Task<int> RecoverAsync(CancellationToken cancellationToken) => RecoverAsync(_ => true, cancellationToken);

    /// <summary>
    /// Like <see cref="RecoverAsync(CancellationToken)"/> for the entries <paramref name="select"/> picks: a caller that
    /// holds a certificate's run lock may clean that certificate's own leftovers while other certificates are in flight.
    /// </summary>
    public async Task<int> RecoverAsync(Func<ChallengeJournalEntry, bool> select, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(select);
        var candidates = (await _journal.ListAsync(cancellationToken)).Where(select).ToList();
        var removed = 0;
        var failures = new List<ChallengeCleanUpFailure>();
        foreach (var run in candidates.GroupBy(e => e.Owner))
        {
            // A live run's values are in use (by this process or another): only a dead run's are leftovers.
            using var claim = Runs.TryClaimDead(run.Key);
            if (claim is null)
            {
                continue;
            }

            var entries = run.ToList();
            _logger.ChallengeJournalRecovering(entries.Count, [.. entries.Select(e => e.ZoneName).Distinct(StringComparer.Ordinal)]);
            var runFailures = await CleanUpEntriesAsync(entries, cancellationToken);
            failures.AddRange(runFailures);
            removed += runFailures.Count == 0 ? entries.Count : 0;
        }

        return failures.Count > 0 ? throw new ChallengeCleanUpException(failures) : removed;
    }

    /// <summary>Follows CNAMEs and finds each name's zone: one journal entry per distinct (zone, target, value).</summary>
    private async Task<List<ChallengeJournalEntry>> PlanAsync(IReadOnlyList<DnsChallengeRecord> records, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var entries = new List<ChallengeJournalEntry>();
        foreach (var group in records.GroupBy(r => DnsName.Normalize(r.RecordName), StringComparer.Ordinal))
        {
            var target = await _cnameResolver.ResolveAsync(group.Key, cancellationToken);
            if (target != group.Key)
            {
                _logger.ChallengeCnameFollowed(group.Key, target);
            }

            var zone = await _zones.ResolveAsync(target, _options.HostedZoneId, cancellationToken);
            var zoneName = DnsName.Normalize(zone.Name);
            _recordSetCounts[zone.Id] = zone.ResourceRecordSetCount;
            _logger.HostedZoneResolved(target, zoneName, zone.Id);
            entries.AddRange(group.Select(r => new ChallengeJournalEntry(zone.Id, zoneName, group.Key, target, r.Value, now, Owner)));
        }

        return [.. entries.DistinctBy(e => e.Key)];
    }

    private async Task<List<ChangeInfo>> PublishAsync(string zoneId, string zoneName, List<ChallengeJournalEntry> entries, CancellationToken cancellationToken)
    {
        using (await LockZoneAsync(zoneId, cancellationToken))
        {
            var values = entries.Select(e => new TxtRecordValue(e.TargetName, e.Value)).ToList();
            var current = await ReadTxtSetsAsync(zoneId, values, cancellationToken);
            var changes = TxtRecordSetMerge.Publish(current, values, _options.Ttl);
            var submitted = new List<ChangeInfo>();
            foreach (var batch in TxtRecordSetMerge.SplitIntoBatches(changes, _options.ChangeLimits, ChangeComment))
            {
                var change = await _route53.ChangeResourceRecordSetsAsync(zoneId, batch, cancellationToken);
                _logger.ChallengeRecordsPublished(zoneName, change.Id, NamesOf(batch));
                submitted.Add(change);
            }

            return submitted;
        }
    }

    /// <summary>Removes our values from one zone and then forgets them; a failure is returned, not thrown.</summary>
    private async Task<List<ChallengeCleanUpFailure>> CleanUpEntriesAsync(IReadOnlyList<ChallengeJournalEntry> entries, CancellationToken cancellationToken)
    {
        var failures = new List<ChallengeCleanUpFailure>();
        // A value another run's entry still lists is in use by that run (or is its leftover): only the entry goes.
        var cleaning = entries.Select(e => e.EntryKey).ToHashSet();
        var claimedByOthers = ((await TryListJournalAsync(cancellationToken)) ?? [])
            .Where(e => !cleaning.Contains(e.EntryKey))
            .Select(e => e.Key)
            .ToHashSet();
        foreach (var zone in entries.GroupBy(e => (e.HostedZoneId, e.ZoneName)))
        {
            var zoneEntries = zone.ToList();
            IReadOnlyList<string> names = [.. zoneEntries.Select(e => e.TargetName).Distinct(StringComparer.Ordinal)];
            try
            {
                await RemoveValuesAsync(
                    zone.Key.HostedZoneId, zone.Key.ZoneName, [.. zoneEntries.Where(e => !claimedByOthers.Contains(e.Key)).DistinctBy(e => e.Key)], cancellationToken);
                await _journal.RemoveAsync(zoneEntries, cancellationToken);
            }
            catch (Exception e) when (!IsCancellation(e, cancellationToken))
            {
                _logger.ChallengeCleanUpFailed(e, zone.Key.ZoneName, names);
                failures.Add(new ChallengeCleanUpFailure(zone.Key.ZoneName, names, e));
            }
        }

        return failures;
    }

    private async Task RemoveValuesAsync(string zoneId, string zoneName, List<ChallengeJournalEntry> entries, CancellationToken cancellationToken)
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
                    _logger.ChallengeCleanUpNothingToDo([.. values.Select(v => v.Name).Distinct(StringComparer.Ordinal)], "the values are already gone");
                    return;
                }

                try
                {
                    foreach (var batch in TxtRecordSetMerge.SplitIntoBatches(changes, _options.ChangeLimits, ChangeComment))
                    {
                        var change = await _route53.ChangeResourceRecordSetsAsync(zoneId, batch, cancellationToken);
                        _logger.ChallengeRecordsRemoved(zoneName, change.Id, NamesOf(batch));
                    }

                    return;
                }
                catch (AwsServiceException e) when (attempt == 1 && e.Code == "InvalidChangeBatch")
                {
                    // The set changed between our read and our write (a DELETE must match exactly): read again, once.
                    _logger.ChallengeCleanUpNothingToDo([.. values.Select(v => v.Name).Distinct(StringComparer.Ordinal)], "record set changed meanwhile, reading it again: " + e.Message);
                }
            }
        }
    }

    /// <summary>Exclusive read-modify-write of one zone: process- and state-directory-wide with <see cref="ZoneLocks"/>, else this instance's.</summary>
    private async Task<IDisposable> LockZoneAsync(string zoneId, CancellationToken cancellationToken)
    {
        if (ZoneLocks is not null)
        {
            return await ZoneLocks.AcquireAsync(zoneId, _timeProvider, cancellationToken);
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
        if (_recordSetCounts.TryGetValue(zoneId, out var count) && (count + names.Count + ZonePageSize - 1) / ZonePageSize < names.Count)
        {
            await foreach (var set in _route53.ListAllResourceRecordSetsAsync(zoneId, pageSize: ZonePageSize, cancellationToken: cancellationToken))
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
            sets.AddRange(await _route53.GetRecordSetsForNameAsync(zoneId, name, TxtType, cancellationToken));
        }

        return sets;
    }

    private async Task WaitInSyncAsync(
        string zoneName, string zoneId, ChangeInfo change, DateTimeOffset started, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var interval = _options.InitialPollInterval;
        var status = change.Status;
        while (status != ChangeStatus.InSync)
        {
            var remaining = deadline - _timeProvider.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                throw new Route53ChangeTimeoutException(zoneName, zoneId, change.Id, _options.PropagationTimeout);
            }

            await Task.Delay(interval < remaining ? interval : remaining, _timeProvider, cancellationToken);
            // x1.5: an INSYNC that arrives between two polls is seen at most half an interval late.
            interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 3 / 2, _options.MaxPollInterval.Ticks));
            try
            {
                status = (await _route53.GetChangeAsync(change.Id, cancellationToken)).Status;
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                // The client already retried this poll; the change itself is accepted. Until the propagation
                // deadline an unanswered poll only means "not known to be INSYNC yet", never a failed order.
                _logger.ChallengeChangePollFailed(e, zoneName, change.Id);
            }
        }

        _logger.ChallengeChangeInSync(zoneName, change.Id, _timeProvider.GetUtcNow() - started);
    }

    /// <summary><see cref="Route53SolverOptions.Nameservers"/>, else the zone's delegation set resolved to addresses (IPv4 first).</summary>
    private static bool IsTransient(Exception exception, CancellationToken cancellationToken) =>
        exception switch
        {
            Aws.AwsServiceException aws => aws.IsRetryable,
            HttpRequestException or IOException => true,
            OperationCanceledException => !cancellationToken.IsCancellationRequested,
            _ => false,
        };

    private async Task<IReadOnlyList<DnsServer>> ServersForZoneAsync(string zoneId, string zoneName, CancellationToken cancellationToken)
    {
        if (_configuredServers.Count > 0)
        {
            return _configuredServers;
        }

        if (_zoneServers.TryGetValue(zoneId, out var cached))
        {
            return cached;
        }

        var details = await _zones.GetDetailsAsync(zoneId, cancellationToken);
        if (details.NameServers.Count == 0)
        {
            _logger.PropagationCheckSkipped(zoneName);
            return [];
        }

        var servers = new List<DnsServer>();
        foreach (var nameserver in details.NameServers)
        {
            IPAddress[] addresses;
            try
            {
                addresses = await System.Net.Dns.GetHostAddressesAsync(nameserver, cancellationToken);
            }
            catch (SocketException e)
            {
                throw new NameserverResolutionException(zoneName, nameserver, e);
            }

            // Route53's nameservers are anycast: one address per server name is the server.
            var address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
                ?? throw new NameserverResolutionException(zoneName, nameserver, null);
            servers.Add(new DnsServer(nameserver.TrimEnd('.'), new IPEndPoint(address, DnsServer.DefaultPort)));
        }

        _zoneServers[zoneId] = servers;
        return servers;
    }

    /// <summary>The journal's entries, or null when it cannot be read.</summary>
    private async Task<IReadOnlyList<ChallengeJournalEntry>?> TryListJournalAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _journal.ListAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            // Clean-up must not depend on the journal: without it, names are looked up again.
            _logger.ChallengeJournalUnreadable(e);
            return null;
        }
    }

    private static List<string> NamesOf(ChangeBatch batch) =>
        [.. batch.Changes.Select(c => DnsName.Normalize(c.RecordSet.Name)).Distinct(StringComparer.Ordinal)];

    private static bool IsCancellation(Exception e, CancellationToken cancellationToken) =>
        e is OperationCanceledException && cancellationToken.IsCancellationRequested;

    private sealed class GateRelease(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
