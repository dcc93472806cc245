using CertDaemon.Logging;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Renewal;

internal static partial class LifecycleLog
{
    [LoggerMessage(EventId = EventIds.Renewal + 50, EventName = "StateNotRecorded", Level = LogLevel.Error,
        Message = "The state of {CertificateName} could not be saved; status may show stale information")]
    public static partial void StateNotRecorded(ILogger logger, Exception exception, string certificateName);

    [LoggerMessage(EventId = EventIds.Renewal + 51, EventName = "LeftoverChallengeRecordsKept", Level = LogLevel.Warning,
        Message = "Challenge records a crashed run of {CertificateName} left behind could not be removed yet; they stay journaled")]
    public static partial void LeftoverChallengeRecordsKept(ILogger logger, Exception exception, string certificateName);
}
