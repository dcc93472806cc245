using CertDaemon.Dns;

namespace CertDaemon.Fleet;

/// <summary>
/// The renewal lease of one certificate (<c>certificates/NAME/lease.json</c>): who holds it, until when, why, and the
/// challenge records the holder may have published (its journal, so whoever takes over after a crash removes them).
/// </summary>
/// <param name="Holder">The holder id (host, process, random suffix): unique per process.</param>
/// <param name="ExpiresAt">The holder's clock; others add <see cref="FleetLeaseRules.SkewMargin"/> before taking over.</param>
/// <param name="Reason">Why it is held (<c>renewal</c>, <c>acm-import</c>).</param>
/// <param name="Released">The holder finished: anyone may take it at once.</param>
/// <param name="Instance">
/// The holder's persisted instance id (<see cref="FleetInstance.Instance"/>) and <c>#</c> a token the holder wrote into
/// its per-certificate lock file on its own machine; null from older holders. Only a process that holds that lock file
/// and reads that token may take the lease over early (see <see cref="FleetLeaseRules.Decide"/>).
/// </param>
internal sealed record FleetLease(
    string Holder,
    DateTimeOffset AcquiredAt,
    DateTimeOffset ExpiresAt,
    string Reason,
    bool Released,
    IReadOnlyList<ChallengeJournalEntry> Challenges,
    string? Instance = null);
