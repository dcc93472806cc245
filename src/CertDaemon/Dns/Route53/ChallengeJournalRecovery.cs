using Microsoft.Extensions.Logging;

namespace CertDaemon.Dns.Route53;

/// <summary>
/// Removes what dead runs left: the journal's entries whose owning run no longer holds its lock
/// (<see cref="ChallengeRunRegistry.TryClaimDead"/>), one run at a time, holding that run's lock meanwhile.
/// </summary>
internal sealed class ChallengeJournalRecovery(IChallengeJournal journal, ChallengeRunRegistry runs, JournaledValueRemover remover, ILogger logger)
{
    /// <summary>Removes the dead runs' entries among those <paramref name="select"/> picks; returns how many were removed.</summary>
    /// <exception cref="ChallengeCleanUpException">Some zones could not be cleaned; their entries stay.</exception>
    public async Task<int> RecoverAsync(Func<ChallengeJournalEntry, bool> select, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(select);
        var candidates = (await journal.ListAsync(cancellationToken)).Where(select).ToList();
        var removed = 0;
        var failures = new List<ChallengeCleanUpFailure>();
        foreach (var run in candidates.GroupBy(e => e.Owner))
        {
            // A live run's values are in use (by this process or another): only a dead run's are leftovers.
            using var claim = runs.TryClaimDead(run.Key);
            if (claim is null)
            {
                continue;
            }

            var entries = run.ToList();
            logger.ChallengeJournalRecovering(entries.Count, [.. entries.Select(e => e.ZoneName).Distinct(StringComparer.Ordinal)]);
            var runFailures = await remover.RemoveAsync(entries, cancellationToken);
            failures.AddRange(runFailures);
            removed += runFailures.Count == 0 ? entries.Count : 0;
        }

        return failures.Count > 0 ? throw new ChallengeCleanUpException(failures) : removed;
    }
}
