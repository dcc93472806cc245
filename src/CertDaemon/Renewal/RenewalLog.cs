using CertDaemon.Logging;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Renewal;

/// <summary>Renewal events (EventIds 7000-7999; 7050 is <see cref="LifecycleLog"/>'s, 7100-7199 the scheduler's).</summary>
internal static partial class RenewalLog
{
    [LoggerMessage(EventId = EventIds.Renewal + 1, EventName = "RenewalPlanned", Level = LogLevel.Information,
        Message = "Renewal of {CertificateName} planned at {RenewAt:O} ({Reason}): {Explanation}")]
    public static partial void RenewalPlanned(ILogger logger, string certificateName, DateTimeOffset renewAt, string reason, string explanation);

    [LoggerMessage(EventId = EventIds.Renewal + 2, EventName = "RenewalFailed", Level = LogLevel.Error,
        Message = "Renewing {CertificateName} failed: {Error}; next attempt at {RetryAt:O} (failure {ConsecutiveFailures} in a row)")]
    public static partial void RenewalFailed(ILogger logger, Exception exception, string certificateName, string error, DateTimeOffset retryAt, int consecutiveFailures);

    [LoggerMessage(EventId = EventIds.Renewal + 3, EventName = "AriWindowReceived", Level = LogLevel.Information,
        Message = "The CA suggests renewing {CertificateName} between {WindowStart} and {WindowEnd} (explanation: {ExplanationUrl}); next ARI check at {NextAriCheck}")]
    public static partial void AriWindowReceived(ILogger logger, string certificateName, DateTimeOffset windowStart, DateTimeOffset windowEnd, string? explanationUrl, DateTimeOffset nextAriCheck);

    [LoggerMessage(EventId = EventIds.Renewal + 4, EventName = "AriCheckFailed", Level = LogLevel.Warning,
        Message = "Asking the CA for renewal information about {CertificateName} failed: {Error}; planning without it until the next ARI check at {NextAriCheck}")]
    public static partial void AriCheckFailed(ILogger logger, Exception exception, string certificateName, string error, DateTimeOffset nextAriCheck);

    [LoggerMessage(EventId = EventIds.Renewal + 5, EventName = "RenewalStarting", Level = LogLevel.Information,
        Message = "Renewing {CertificateName} now ({Reason})")]
    public static partial void RenewalStarting(ILogger logger, string certificateName, string reason);

    [LoggerMessage(EventId = EventIds.Renewal + 6, EventName = "DeployRetryFailed", Level = LogLevel.Error,
        Message = "Retrying the deployment of {CertificateName} failed: {Error}; retried at the next check")]
    public static partial void DeployRetryFailed(ILogger logger, Exception exception, string certificateName, string error);

    [LoggerMessage(EventId = EventIds.Renewal + 8, EventName = "CheckObserverFailed", Level = LogLevel.Warning,
        Message = "After checking {CertificateName}, {Observer} failed: {Error} (the check's outcome stands)")]
    public static partial void CheckObserverFailed(ILogger logger, Exception exception, string certificateName, string observer, string error);

    [LoggerMessage(EventId = EventIds.Renewal + 7, EventName = "AriNotOffered", Level = LogLevel.Debug,
        Message = "The CA offers no renewal information (ARI) for {CertificateName}; the lifetime rule applies")]
    public static partial void AriNotOffered(ILogger logger, string certificateName);

    [LoggerMessage(EventId = EventIds.Renewal + 30, EventName = "RenewalDeferred", Level = LogLevel.Information,
        Message = "Renewal of {CertificateName} is due but not started here: {Why}; looking again at {RetryAt:O}")]
    public static partial void RenewalDeferred(ILogger logger, string certificateName, string why, DateTimeOffset retryAt);
}
