using System.Text.Json.Serialization;

namespace CertDaemon.Notifications;

/// <summary>
/// The JSON a webhook receives: <c>text</c> for Slack/Teams-style incoming webhooks, then the same facts as fields.
/// </summary>
internal sealed record WebhookPayload(
    string Text,
    string Event,
    string Certificate,
    IReadOnlyList<string> Domains,
    string? Serial,
    DateTimeOffset? NotAfter,
    DateTimeOffset? ServedNotAfter,
    IReadOnlyList<string> FailedTargets,
    string? Error,
    DateTimeOffset? RetryAt,
    string Host,
    DateTimeOffset At)
{
    public static WebhookPayload From(Notification n) => new(
        n.Text, n.Event, n.CertificateName, n.Domains, n.Serial, n.NotAfter, n.ServedNotAfter, n.FailedTargets, n.Error, n.RetryAt, n.Host, n.At);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(WebhookPayload))]
internal sealed partial class NotificationJsonContext : JsonSerializerContext;
