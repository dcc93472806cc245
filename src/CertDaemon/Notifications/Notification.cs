using System.Text.Json.Serialization;

namespace CertDaemon.Notifications;

/// <summary>
/// One notification: what happened to which certificate, in facts a person or a script can act on. Holds no secret:
/// no key, no credential, no webhook URL; error texts pass through the log redactor first.
/// </summary>
/// <param name="Event"><c>failure</c>, <c>recovered</c> or <c>renewed</c>.</param>
/// <param name="Serial">The live version's serial (lower-case hex); null before the first certificate.</param>
/// <param name="NotAfter">The live version's not-after.</param>
/// <param name="ServedNotAfter">The earliest not-after of what is actually served (the deadline that matters).</param>
/// <param name="FailedTargets">Deploy targets that do not hold the live version (<c>nginx</c>, <c>acm:REGION</c>).</param>
/// <param name="Error">Why the run failed (failure), or null.</param>
/// <param name="RetryAt">When the next attempt comes (failure), or null.</param>
/// <param name="Host">This machine's name, so a fleet's notifications say where.</param>
/// <remarks>Serialized as is for webhooks (<see cref="NotificationJsonContext"/>): <c>text</c> first, then the fields.</remarks>
internal sealed record Notification(
    string Event,
    [property: JsonPropertyName("certificate")] string CertificateName,
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
    /// <summary>One paragraph for chat (Slack's and Teams' incoming webhooks show <c>text</c>).</summary>
    [JsonPropertyOrder(-1)]
    public string Text => Event switch
    {
        NotificationEvents.Failure =>
            $"CertDaemon on {Host}: {CertificateName} FAILED: {Error}"
            + (FailedTargets.Count > 0 ? $" Targets not holding the live certificate: {string.Join(", ", FailedTargets)}." : "")
            + (ServedNotAfter is { } served ? $" What is served expires {Format(served)}." : "")
            + (RetryAt is { } retry ? $" Next attempt {Format(retry)}." : ""),
        NotificationEvents.Recovered =>
            $"CertDaemon on {Host}: {CertificateName} recovered: serial {Serial} is live and deployed everywhere"
            + (NotAfter is { } notAfter ? $", valid until {Format(notAfter)}." : "."),
        _ =>
            $"CertDaemon on {Host}: {CertificateName} renewed: serial {Serial} for {string.Join(", ", Domains)}"
            + (NotAfter is { } until ? $", valid until {Format(until)}." : "."),
    };

    private static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
}
