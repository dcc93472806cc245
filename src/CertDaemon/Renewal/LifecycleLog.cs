using CertDaemon.Logging;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Renewal;

internal static partial class LifecycleLog
{
    [LoggerMessage(EventId = EventIds.Renewal + 50, EventName = "StateNotRecorded", Level = LogLevel.Error,
        Message = "The state of {CertificateName} could not be saved; status may show stale information")]
    public static partial void StateNotRecorded(ILogger logger, Exception exception, string certificateName);
}
