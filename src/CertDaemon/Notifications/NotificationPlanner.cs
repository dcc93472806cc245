using CertDaemon.Logging;
using CertDaemon.Renewal;
using CertDaemon.Storage;

namespace CertDaemon.Notifications;

/// <summary>
/// Decides whether a finished check deserves a notification. Pure. A failure is told once, when the certificate's
/// checks start failing (never at every backoff retry); its recovery once, when a check succeeds again; a renewal
/// (optional) whenever a new certificate reached every target. At most one notification per check.
/// </summary>
internal static class NotificationPlanner
{
    public static Notification? Decide(
        IReadOnlyCollection<string> wanted, CertificateStatus status, RenewalCheckResult result, CheckHistory? before, string host, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(result);
        var wasFailing = before?.FailingSince is not null;
        string? kind = null;
        if (!result.Succeeded && !wasFailing)
        {
            kind = NotificationEvents.Failure;
        }
        else if (result.Succeeded && wasFailing)
        {
            kind = NotificationEvents.Recovered;
        }
        else if (result.Succeeded && result.Outcome == RenewalCheckOutcome.Renewed)
        {
            kind = NotificationEvents.Renewed;
        }

        if (kind is null || !wanted.Contains(kind, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        return new Notification(
            kind,
            status.Name,
            status.Domains,
            status.Serial,
            status.NotAfter,
            status.ServedNotAfter,
            [.. status.Targets.Where(t => !t.HoldsCurrent).Select(t => t.Target)],
            result.Error is { } error ? SecretRedactor.Redact(error.Message) : null,
            result.Succeeded ? null : result.NextCheckAt,
            host,
            now);
    }
}
