using CertDaemon.Logging;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Notifications;

/// <summary>Notification events (EventIds 9500-9999). The webhook URL is never logged: it often embeds a token.</summary>
internal static partial class NotificationLog
{
    [LoggerMessage(EventId = EventIds.Notifications + 1, EventName = "NotificationSent", Level = LogLevel.Information,
        Message = "Notified {Channel} of {Event} for {CertificateName}")]
    public static partial void Sent(ILogger logger, string channel, string @event, string certificateName);

    [LoggerMessage(EventId = EventIds.Notifications + 2, EventName = "NotificationFailed", Level = LogLevel.Warning,
        Message = "Notifying {Channel} of {Event} for {CertificateName} failed (attempt {Attempt} of {Attempts}): {Error}")]
    public static partial void Failed(ILogger logger, string channel, string @event, string certificateName, int attempt, int attempts, string error);

    [LoggerMessage(EventId = EventIds.Notifications + 3, EventName = "NotificationsDropped", Level = LogLevel.Warning,
        Message = "{Count} notification(s) were not sent before shutdown or because too many were queued")]
    public static partial void Dropped(ILogger logger, int count);
}
