namespace CertDaemon.Renewal;

/// <summary>One certificate as <c>certdaemon status</c> shows it; the table and <c>--json</c> render this same record.</summary>
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
    IReadOnlyList<TargetStatus> Targets)
{
    /// <summary>What kind of failure <see cref="LastError"/> is (<c>issuance</c>, <c>state</c>, <c>state-unreadable</c>, ...).</summary>
    public string? LastErrorKind { get; init; }
}
