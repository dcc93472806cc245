using CertDaemon.Storage;

namespace CertDaemon.Renewal.Sources.CaChain;

/// <summary>
/// By when a renewal must succeed: the moment the planner would call it an emergency (a fixed fraction of the current
/// certificate's lifetime left). Without a usable current certificate for the configured names (none yet, revoked,
/// expired, other names) the deadline is now: every wait is too long. Pure.
/// </summary>
internal static class RenewalDeadline
{
    public static DateTimeOffset For(CurrentCertificate? current, IReadOnlyCollection<string> domains, double emergencyFraction, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(domains);
        if (current is null || current.RevokedAt is not null || current.NotAfter <= now
            || !current.Domains.ToHashSet(StringComparer.OrdinalIgnoreCase).SetEquals(domains))
        {
            return now;
        }

        var emergency = current.NotAfter - ((current.NotAfter - current.NotBefore) * emergencyFraction);
        return emergency > now ? emergency : now;
    }
}
