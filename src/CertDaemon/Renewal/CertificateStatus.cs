namespace CertDaemon.Renewal;

/// <summary>
/// One certificate as <c>certdaemon status</c> shows it; the table, <c>--json</c>, <c>--check</c> and the metrics
/// all render this same record.
/// </summary>
/// <param name="Serial">The live version: the newest certificate CertDaemon issued, verified and committed, which every
/// target should hold (lower-case hex); null before the first.</param>
internal sealed record CertificateStatus(
    string Name,
    IReadOnlyList<string> Domains,
    bool AdHoc,
    string? Serial,
    DateTimeOffset? NotAfter,
    double? DaysLeft,
    DateTimeOffset NextRenewal,
    string NextRenewalReason,
    string NextRenewalExplanation,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    IReadOnlyList<TargetStatus> Targets,
    string? IssuedBy = null)
{
    /// <summary>The live version's source: <c>acme</c> or <c>acm-export</c>; null before the first.</summary>
    public string? Source { get; init; }

    /// <summary>Where it came from: the CA's directory URL with its place in the chain (<c>primary</c>, <c>fallback N</c>),
    /// or the ACM certificate's ARN; null before the first.</summary>
    public string? Origin { get; init; }

    /// <summary>The live version exists, is valid now, and every deploy target holds it.</summary>
    public bool Ready { get; init; }

    public int? Version { get; init; }

    public string? KeyType { get; init; }

    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>Who issued the live version: the ACME directory URL of its CA; null before the first.</summary>
    public string? Issuer { get; init; }

    /// <summary>The earliest not-after among what is actually served: each target's own certificate (an older one while a target refuses the live version), or the live files when there is no target. What runs out first.</summary>
    public DateTimeOffset? ServedNotAfter { get; init; }

    public double? ServedDaysLeft { get; init; }

    /// <summary>When the targets that do not hold the live version are tried again; null when all do.</summary>
    public DateTimeOffset? DeployRetryAt { get; init; }

    /// <summary>When the schedule wants the renewal, before any failure backoff: a renewal is overdue once this is well past.</summary>
    public DateTimeOffset RenewalDueAt { get; init; }

    /// <summary>When the certificate was last checked by the daemon or <c>renew</c>; null before the first check.</summary>
    public DateTimeOffset? LastCheckAt { get; init; }

    /// <summary>When the current run of failed checks began; null while healthy.</summary>
    public DateTimeOffset? FailingSince { get; init; }

    /// <summary>Failed renewal or deployment runs so far (never decreases).</summary>
    public long FailedRuns { get; init; }

    /// <summary>Where the live files are (certbot's layout).</summary>
    public required CertificateFiles Files { get; init; }

    /// <summary>What is wrong with the files nginx reads (a missing <c>live/NAME</c> or link, a private key others may
    /// read), one line each; empty when they are intact. The next check restores what it safely can.</summary>
    public IReadOnlyList<string> LiveProblems { get; init; } = [];

    /// <summary>What kind of failure <see cref="LastError"/> is (<c>issuance</c>, <c>state</c>, <c>state-unreadable</c>, ...).</summary>
    public string? LastErrorKind { get; init; }
}
