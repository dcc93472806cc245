using Microsoft.Extensions.Logging;

namespace CertDaemon.Dns.Route53;

/// <summary>
/// Removes journaled challenge values from their zones and then forgets their entries, zone by zone: shared by a
/// run's own clean-up and by the recovery of dead runs' leftovers.
/// </summary>
/// <remarks>
/// A value that another run's entry still lists stays in DNS (that run uses it, or will recover it); only the entry
/// being cleaned goes. An entry is forgotten only after its zone accepted the removal, so a failed zone keeps its
/// entries for a later recovery.
/// </remarks>
internal sealed class JournaledValueRemover(IChallengeJournal journal, ZoneTxtWriter writer, ILogger logger)
{
    /// <summary>Cleans every zone of <paramref name="entries"/>; a zone's failure is returned (and logged), not thrown.</summary>
    public async Task<List<ChallengeCleanUpFailure>> RemoveAsync(IReadOnlyList<ChallengeJournalEntry> entries, CancellationToken cancellationToken)
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
                await writer.RemoveAsync(
                    zone.Key.HostedZoneId, zone.Key.ZoneName, [.. zoneEntries.Where(e => !claimedByOthers.Contains(e.Key)).DistinctBy(e => e.Key)], cancellationToken);
                await journal.RemoveAsync(zoneEntries, cancellationToken);
            }
            catch (Exception e) when (!IsCancellation(e, cancellationToken))
            {
                logger.ChallengeCleanUpFailed(e, zone.Key.ZoneName, names);
                failures.Add(new ChallengeCleanUpFailure(zone.Key.ZoneName, names, e));
            }
        }

        return failures;
    }

    /// <summary>The journal's entries, or null when it cannot be read.</summary>
    public async Task<IReadOnlyList<ChallengeJournalEntry>?> TryListJournalAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await journal.ListAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            // Clean-up must not depend on the journal: without it, names are looked up again.
            logger.ChallengeJournalUnreadable(e);
            return null;
        }
    }

    /// <summary>Only the caller's own cancellation ends a clean-up early; any other error is one zone's failure.</summary>
    public static bool IsCancellation(Exception e, CancellationToken cancellationToken) =>
        e is OperationCanceledException && cancellationToken.IsCancellationRequested;
}
