using CertDaemon.Dns;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Fleet;

/// <summary>
/// The challenge journal in fleet mode: the local file journal, plus a copy inside the lease object of the
/// certificate being renewed, so that an instance taking over after the holder died can remove the records the dead
/// holder published (its local journal is on a disk nobody else reads).
/// </summary>
/// <remarks>
/// Keeps <see cref="IChallengeJournal"/>'s contract: <see cref="RecordPendingAsync"/> returns only once both copies
/// are durable (a lease write that fails throws, so nothing is published unjournaled). A failed removal from the
/// lease copy is logged, not thrown: at worst the next holder tries to remove values that are already gone.
/// </remarks>
internal sealed class FleetChallengeJournal(IChallengeJournal local, FleetLeases leases, ILogger<FleetChallengeJournal> logger) : IChallengeJournal
{
    public async Task RecordPendingAsync(IReadOnlyCollection<ChallengeJournalEntry> entries, CancellationToken cancellationToken)
    {
        await local.RecordPendingAsync(entries, cancellationToken);
        foreach (var (lease, mine) in Covering(entries))
        {
            await lease.RecordChallengesAsync(mine, cancellationToken);
        }
    }

    public async Task RemoveAsync(IReadOnlyCollection<ChallengeJournalEntry> entries, CancellationToken cancellationToken)
    {
        await local.RemoveAsync(entries, cancellationToken);
        foreach (var (lease, mine) in Covering(entries))
        {
            try
            {
                await lease.RemoveChallengesAsync(mine, cancellationToken);
            }
            catch (FleetStoreException e)
            {
                FleetLog.LeaseJournalNotUpdated(logger, e, lease.Name, e.Message);
            }
        }
    }

    public Task<IReadOnlyList<ChallengeJournalEntry>> ListAsync(CancellationToken cancellationToken) => local.ListAsync(cancellationToken);

    private IEnumerable<(HeldLease Lease, List<ChallengeJournalEntry> Entries)> Covering(IReadOnlyCollection<ChallengeJournalEntry> entries)
    {
        foreach (var lease in leases.AllHeld)
        {
            var mine = entries.Where(e => lease.ChallengeNames.Contains(DnsName.Normalize(e.RecordName))).ToList();
            if (mine.Count > 0)
            {
                yield return (lease, mine);
            }
        }
    }
}
