using CertDaemon.Logging;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Hosting;

internal static partial class DaemonLog
{
    [LoggerMessage(EventId = EventIds.Renewal + 100, EventName = "DaemonStarted", Level = LogLevel.Information,
        Message = "CertDaemon {Version} running with {CertificateCount} certificates from {ConfigurationPath}")]
    public static partial void DaemonStarted(ILogger logger, string version, int certificateCount, string configurationPath);

    [LoggerMessage(EventId = EventIds.Renewal + 101, EventName = "ConfigurationReloaded", Level = LogLevel.Information,
        Message = "Configuration reloaded from {ConfigurationPath} ({Trigger}): {CertificateCount} certificates re-planned")]
    public static partial void ConfigurationReloaded(ILogger logger, string configurationPath, string trigger, int certificateCount);

    [LoggerMessage(EventId = EventIds.Renewal + 102, EventName = "ConfigurationReloadRejected", Level = LogLevel.Error,
        Message = "The changed configuration {ConfigurationPath} is invalid; the daemon keeps running on the previous one")]
    public static partial void ConfigurationReloadRejected(ILogger logger, string configurationPath);

    [LoggerMessage(EventId = EventIds.Renewal + 103, EventName = "CheckCrashed", Level = LogLevel.Error,
        Message = "The check of {CertificateName} failed unexpectedly; it runs again at {NextCheck:O}")]
    public static partial void CheckCrashed(ILogger logger, Exception exception, string certificateName, DateTimeOffset nextCheck);

    [LoggerMessage(EventId = EventIds.Renewal + 104, EventName = "StartupRecovery", Level = LogLevel.Information,
        Message = "Start-up recovery: {LineageCount} certificate lineages checked, {ChallengeRecords} stale challenge records removed")]
    public static partial void StartupRecovery(ILogger logger, int lineageCount, int challengeRecords);

    [LoggerMessage(EventId = EventIds.Renewal + 105, EventName = "StartupRecoveryFailed", Level = LogLevel.Warning,
        Message = "Start-up recovery of stale challenge records failed; they stay journaled for the next attempt")]
    public static partial void StartupRecoveryFailed(ILogger logger, Exception exception);
}
