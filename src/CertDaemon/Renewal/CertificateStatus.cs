namespace CertDaemon.Renewal;

/// <summary>One certificate as <c>certdaemon status</c> shows it; the table and <c>--json</c> render this same record.</summary>
/// <param name="Issuer">The live certificate's source: <c>acme</c> or <c>acm-export</c>; null before the first.</param>
/// <param name="IssuedBy">Who issued it: the CA's directory URL with its place in the chain (<c>primary</c>,
/// <c>fallback N</c>), or the ACM certificate's ARN; null before the first.</param>
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
    string? Issuer = null,
    string? IssuedBy = null)
{
    /// <summary>What kind of failure <see cref="LastError"/> is (<c>issuance</c>, <c>state</c>, <c>state-unreadable</c>, ...).</summary>
    public string? LastErrorKind { get; init; }
}
