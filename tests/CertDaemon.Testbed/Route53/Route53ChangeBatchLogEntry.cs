namespace CertDaemon.Testbed.Route53;

/// <summary>
/// One ChangeResourceRecordSets request as received (names and values verbatim, before normalisation), and what the
/// emulator answered: <see cref="ChangeId"/> when accepted, else <see cref="ErrorCode"/> (an AWS error code or an
/// injected fault's name, e.g. <c>Throttling</c>, <c>DropConnection</c>).
/// </summary>
public sealed record Route53ChangeBatchLogEntry(
    DateTimeOffset ReceivedAt,
    string HostedZoneId,
    IReadOnlyList<Route53Change> Changes,
    string? Comment,
    string? ChangeId,
    string? ErrorCode,
    string? ErrorMessage)
{
    public bool Accepted => ChangeId is not null;
}
