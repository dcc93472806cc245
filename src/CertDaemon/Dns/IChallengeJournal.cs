namespace CertDaemon.Dns;

/// <summary>
/// Remembers challenge values that may be live in DNS, so a run that crashed between publishing and clean-up can
/// be cleaned up by the next one (<see cref="IChallengeRecovery"/>).
/// </summary>
/// <remarks>
/// Contract: <see cref="RecordPendingAsync"/> is durable when it returns (a crash right after it leaves the entries
/// listed), and is called <b>before</b> the values are sent. Entries are identified by
/// <see cref="ChallengeJournalEntry.EntryKey"/> (the value and its owning run: two runs publishing one value keep
/// two entries); recording an entry twice keeps one. <see cref="RemoveAsync"/> ignores entries that are not there.
/// An implementation is safe to share between concurrent solvers of one process and between processes that share
/// the state directory: no update loses another's entries.
/// </remarks>
internal interface IChallengeJournal
{
    Task RecordPendingAsync(IReadOnlyCollection<ChallengeJournalEntry> entries, CancellationToken cancellationToken);

    Task RemoveAsync(IReadOnlyCollection<ChallengeJournalEntry> entries, CancellationToken cancellationToken);

    Task<IReadOnlyList<ChallengeJournalEntry>> ListAsync(CancellationToken cancellationToken);
}
