namespace CertDaemon.Configuration;

/// <summary>Notifications (section <c>Notifications</c>); absent: none.</summary>
internal sealed record NotificationOptions
{
    /// <summary>The kinds that can be chosen in <see cref="On"/>.</summary>
    public static readonly IReadOnlyList<string> Kinds = ["failure", "recovered", "renewed"];

    /// <summary>
    /// An http(s) URL that gets a POST of a small JSON document per notification (a <c>text</c> field Slack and Teams
    /// incoming webhooks display, plus structured fields). Treated as a secret: never logged. The default value is
    /// <see langword="null"/>.
    /// </summary>
    public Uri? WebhookUrl { get; init; }

    /// <summary>
    /// A program run per notification (argv, no shell) with the facts in <c>CERTDAEMON_*</c> environment variables.
    /// The default value is empty: none.
    /// </summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>
    /// When to notify: <c>failure</c> (a certificate's checks start failing: once, not at every retry),
    /// <c>recovered</c> (they succeed again after a failure), <c>renewed</c> (every new certificate deployed everywhere).
    /// The default value is <c>["failure", "recovered"]</c>.
    /// </summary>
    public IReadOnlyList<string> On { get; init; } = ["failure", "recovered"];
}
