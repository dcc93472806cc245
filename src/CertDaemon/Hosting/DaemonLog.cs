using CertDaemon.Logging;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Hosting;

/// <summary>The daemon's own events (EventIds 7100-7199, inside the Renewal range).</summary>
internal static partial class DaemonLog
{
    [LoggerMessage(EventId = EventIds.Renewal + 100, EventName = "DaemonStarted", Level = LogLevel.Information,
        Message = "CertDaemon running with {ConfigurationPath}: {CertificateCount} certificates ({Certificates}), checked at least every {CheckInterval}, at most {MaxConcurrentIssuances} issuances at once")]
    public static partial void DaemonStarted(ILogger logger, string configurationPath, int certificateCount, IReadOnlyList<string> certificates, TimeSpan checkInterval, int maxConcurrentIssuances);

    [LoggerMessage(EventId = EventIds.Renewal + 101, EventName = "CertificateCheckScheduled", Level = LogLevel.Debug,
        Message = "Next check of {CertificateName} at {CheckAt}")]
    public static partial void CertificateCheckScheduled(ILogger logger, string certificateName, DateTimeOffset checkAt);

    [LoggerMessage(EventId = EventIds.Renewal + 102, EventName = "CertificateCheckFailed", Level = LogLevel.Error,
        Message = "Checking {CertificateName} failed: {Error}; checking again at {RetryAt:O}")]
    public static partial void CertificateCheckFailed(ILogger logger, Exception exception, string certificateName, string error, DateTimeOffset retryAt);

    [LoggerMessage(EventId = EventIds.Renewal + 103, EventName = "CertificateUnscheduled", Level = LogLevel.Information,
        Message = "{CertificateName} is no longer managed (removed from the configuration or deleted); its checks stop")]
    public static partial void CertificateUnscheduled(ILogger logger, string certificateName);

    [LoggerMessage(EventId = EventIds.Renewal + 104, EventName = "StartupRecoveryFailed", Level = LogLevel.Warning,
        Message = "Start-up recovery of {Step} failed: {Error}; continuing (it is retried at the next start)")]
    public static partial void StartupRecoveryFailed(ILogger logger, Exception exception, string step, string error);

    [LoggerMessage(EventId = EventIds.Renewal + 105, EventName = "ChallengeRecordsRecovered", Level = LogLevel.Information,
        Message = "Removed {Count} DNS challenge records left behind by an earlier run")]
    public static partial void ChallengeRecordsRecovered(ILogger logger, int count);

    [LoggerMessage(EventId = EventIds.Renewal + 106, EventName = "DaemonStopping", Level = LogLevel.Information,
        Message = "Stopping: running checks are cancelled, challenge records cleaned up, then exit")]
    public static partial void DaemonStopping(ILogger logger);

    [LoggerMessage(EventId = EventIds.Renewal + 107, EventName = "ConfigurationReloadRequested", Level = LogLevel.Information,
        Message = "{Trigger}: reloading the configuration from {Path}")]
    public static partial void ConfigurationReloadRequested(ILogger logger, string trigger, string path);

    [LoggerMessage(EventId = EventIds.Renewal + 108, EventName = "CertificateAdded", Level = LogLevel.Information,
        Message = "Managing {CertificateName}: first check at {CheckAt}")]
    public static partial void CertificateAdded(ILogger logger, string certificateName, DateTimeOffset checkAt);

    [LoggerMessage(EventId = EventIds.Renewal + 109, EventName = "ConfigurationReloadFailed", Level = LogLevel.Error,
        Message = "Applying the reloaded configuration failed: {Error}; still running on the previous one")]
    public static partial void ConfigurationReloadFailed(ILogger logger, Exception exception, string error);

    [LoggerMessage(EventId = EventIds.Renewal + 110, EventName = "IdleMemoryReturned", Level = LogLevel.Debug,
        Message = "Idle: memory returned to the system (managed heap {BeforeKiB} KiB before the collection, {AfterKiB} KiB after)")]
    public static partial void IdleMemoryReturned(ILogger logger, long beforeKiB, long afterKiB);

    [LoggerMessage(EventId = EventIds.Renewal + 111, EventName = "IdleMemoryNotReturned", Level = LogLevel.Warning,
        Message = "Idle: returning memory to the system failed: {Error}")]
    public static partial void IdleMemoryNotReturned(ILogger logger, Exception exception, string error);
}
