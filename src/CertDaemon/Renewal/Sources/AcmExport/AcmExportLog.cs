using CertDaemon.Logging;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Renewal.Sources.AcmExport;

/// <summary>ACM exportable certificate events (EventIds 11050-11099 of the Renewal/Sources range).</summary>
internal static partial class AcmExportLog
{
    [LoggerMessage(EventId = EventIds.Sources + 50, EventName = "AcmCertificateRequested", Level = LogLevel.Warning,
        Message = "Requested an exportable ACM certificate for {CertificateName} in {Region}: {Arn} ({Domains}); AWS charges per name for this issuance and for each renewal")]
    public static partial void Requested(ILogger logger, string certificateName, string region, string arn, IReadOnlyList<string> domains);

    [LoggerMessage(EventId = EventIds.Sources + 51, EventName = "AcmValidationRecordsWritten", Level = LogLevel.Information,
        Message = "Wrote ACM's validation CNAME records for {CertificateName} into {Zone} (change {ChangeId}): {Names}; they stay for ACM's managed renewal")]
    public static partial void ValidationRecordsWritten(ILogger logger, string certificateName, string zone, string changeId, IReadOnlyList<string> names);

    [LoggerMessage(EventId = EventIds.Sources + 52, EventName = "AcmCertificateExported", Level = LogLevel.Information,
        Message = "Exported {CertificateName} from ACM {Arn}: serial {Serial}, valid until {NotAfter:O}")]
    public static partial void Exported(ILogger logger, string certificateName, string arn, string serial, DateTimeOffset notAfter);

    [LoggerMessage(EventId = EventIds.Sources + 53, EventName = "AcmExportChainTrustSkipped", Level = LogLevel.Warning,
        Message = "Testing.AcmExportSkipChainTrust is set: the certificate exported for {CertificateName} was not checked against the system trust store")]
    public static partial void ChainTrustSkipped(ILogger logger, string certificateName);

    [LoggerMessage(EventId = EventIds.Sources + 54, EventName = "AcmRenewalRequested", Level = LogLevel.Warning,
        Message = "ACM reports {CertificateName} ({Arn}) ineligible for managed renewal; asked ACM to renew it (Acm.RenewWhenIneligible), charged per name")]
    public static partial void RenewalRequested(ILogger logger, string certificateName, string arn);

    [LoggerMessage(EventId = EventIds.Sources + 55, EventName = "AcmRenewalIneligible", Level = LogLevel.Warning,
        Message = "ACM reports {CertificateName} ({Arn}) ineligible for managed renewal and Acm.RenewWhenIneligible is not set: it will not be renewed by ACM before {NotAfter:O}")]
    public static partial void RenewalIneligible(ILogger logger, string certificateName, string arn, DateTimeOffset? notAfter);
}
