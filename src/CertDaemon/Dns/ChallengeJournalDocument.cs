namespace CertDaemon.Dns;

/// <summary>The journal file's content (<c>dns-journal.json</c>); <see cref="Version"/> guards future format changes.</summary>
internal sealed record ChallengeJournalDocument(int Version, IReadOnlyList<ChallengeJournalEntry> Entries)
{
    public const int CurrentVersion = 1;
}
