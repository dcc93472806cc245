namespace CertDaemon.Logging;

/// <summary>
/// EventId ranges per area, so an id alone says where an event comes from. Each area keeps its
/// <c>[LoggerMessage]</c> partials in its own <c>*Log.cs</c> file and takes ids only from its range.
/// Event names are stable: monitoring alerts on them.
/// </summary>
internal static class EventIds
{
    public const int Acme = 1000;        // 1000-1999 Acme/
    public const int Issuance = 2000;    // 2000-2999 Issuance/ (CertificateIssued = 2001)
    public const int Dns = 3000;         // 3000-3999 Dns/ (ChallengeRecordsPublished = 3001)
    public const int Aws = 4000;         // 4000-4999 Aws/
    public const int Storage = 5000;     // 5000-5999 Storage/
    public const int Deployment = 6000;  // 6000-6999 Deployment/ (NginxReloaded, ServedCertificateMismatch, AcmImported)
    public const int Renewal = 7000;     // 7000-7999 Renewal/ (RenewalPlanned, RenewalFailed); 7100-7199 the daemon (Hosting/DaemonLog)
    public const int Cli = 8000;         // 8000-8999 Cli/ and Configuration/ (ConfigurationInvalid)
    public const int Monitoring = 9000;  // 9000-9499 Monitoring/ (metrics textfile and listener)
    public const int Notifications = 9500; // 9500-9999 Notifications/
    public const int Fleet = 10000;      // 10000-10099 Fleet/ (FleetCertificateInstalled = 10001)
    public const int Sources = 11000;    // 11000-11999 Renewal/Sources/ (11000-11049 the ACME CA chain, 11050-11099 ACM export)
}
