namespace CertDaemon.Notifications;

/// <summary>The notification kinds, as <c>Notifications.On</c> and the payload's <c>event</c> spell them.</summary>
internal static class NotificationEvents
{
    public const string Failure = "failure";
    public const string Recovered = "recovered";
    public const string Renewed = "renewed";
}
