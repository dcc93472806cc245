using CertDaemon.Logging;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Monitoring;

/// <summary>Metrics and notification events (EventIds 9000-9999).</summary>
internal static partial class MonitoringLog
{
    [LoggerMessage(EventId = EventIds.Monitoring + 1, EventName = "MetricsNotWritten", Level = LogLevel.Warning,
        Message = "The metrics file {Path} could not be written: {Error}")]
    public static partial void MetricsNotWritten(ILogger logger, string path, string error);

    [LoggerMessage(EventId = EventIds.Monitoring + 2, EventName = "MetricsListening", Level = LogLevel.Information,
        Message = "Serving metrics at http://{Address}/metrics")]
    public static partial void MetricsListening(ILogger logger, string address);

    [LoggerMessage(EventId = EventIds.Monitoring + 3, EventName = "MetricsListenerFailed", Level = LogLevel.Error,
        Message = "The metrics listener on {Address} failed: {Error}")]
    public static partial void MetricsListenerFailed(ILogger logger, string address, string error);

    [LoggerMessage(EventId = EventIds.Monitoring + 4, EventName = "MetricsListenerStopped", Level = LogLevel.Information,
        Message = "No longer serving metrics at http://{Address}/metrics (Metrics.ListenAddress removed)")]
    public static partial void MetricsListenerStopped(ILogger logger, string address);
}
