using CertDaemon.Logging;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Renewal;

internal static partial class RenewalLog
{
    [LoggerMessage(EventId = EventIds.Renewal + 1, EventName = "RenewalPlanned", Level = LogLevel.Information,
        Message = "{CertificateName} renews at {RenewAt:O} ({Reason}): {Explanation}")]
    public static partial void RenewalPlanned(ILogger logger, string certificateName, DateTimeOffset renewAt, string reason, string explanation);

    [LoggerMessage(EventId = EventIds.Renewal + 2, EventName = "RenewalFailed", Level = LogLevel.Error,
        Message = "Renewing {CertificateName} failed: {Error}; next attempt at {RetryAt:O}")]
    public static partial void RenewalFailed(ILogger logger, Exception exception, string certificateName, string error, DateTimeOffset retryAt);

    [LoggerMessage(EventId = EventIds.Renewal + 3, EventName = "AriWindowReceived", Level = LogLevel.Information,
        Message = "{CertificateName}: the CA suggests renewing between {WindowStart:O} and {WindowEnd:O} (explanation: {ExplanationUrl}); next ARI check {NextCheck:O}")]
    public static partial void AriWindowReceived(ILogger logger, string certificateName, DateTimeOffset windowStart, DateTimeOffset windowEnd, Uri? explanationUrl, DateTimeOffset nextCheck);

    [LoggerMessage(EventId = EventIds.Renewal + 4, EventName = "AriCheckFailed", Level = LogLevel.Warning,
        Message = "{CertificateName}: asking the CA for renewal information failed; planning without it until {NextCheck:O}")]
    public static partial void AriCheckFailed(ILogger logger, Exception exception, string certificateName, DateTimeOffset nextCheck);

    [LoggerMessage(EventId = EventIds.Renewal + 5, EventName = "CertificateChecked", Level = LogLevel.Debug,
        Message = "{CertificateName} checked: not due until {RenewAt:O}; next check {NextCheck:O}")]
    public static partial void CertificateChecked(ILogger logger, string certificateName, DateTimeOffset renewAt, DateTimeOffset nextCheck);

    [LoggerMessage(EventId = EventIds.Renewal + 6, EventName = "DryRunIssued", Level = LogLevel.Information,
        Message = "Dry run for {CertificateName} succeeded at {DirectoryUrl}: serial {Serial} was issued, verified and discarded")]
    public static partial void DryRunIssued(ILogger logger, string certificateName, Uri directoryUrl, string serial);
}
