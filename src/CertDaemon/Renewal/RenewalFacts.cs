using System.Globalization;
using CertDaemon.Configuration;
using CertDaemon.Kernel;
using CertDaemon.Storage;

namespace CertDaemon.Renewal;

/// <summary>
/// Turns what is stored (state file) and what is configured into the planner's inputs, so <c>status</c>, <c>renew</c>
/// and the daemon all ask <see cref="RenewalPlanner"/> the same question.
/// </summary>
internal static class RenewalFacts
{
    public static RenewalDecision Plan(ManagedCertificate certificate, CertificateState? state, RenewalOptions renewal, DateTimeOffset now, bool force = false)
    {
        CertificateFacts? current = null;
        if (state?.Current is { } c && KeyTypeNames.TryParse(c.KeyType, out var keyType))
        {
            current = new CertificateFacts(c.NotBefore, c.NotAfter, c.Domains, keyType);
        }

        var renewalState = state?.Renewal;
        AriWindow? ari = renewalState is { AriWindowStart: { } start, AriWindowEnd: { } end } ? new AriWindow(start, end, renewalState.AriExplanationUrl) : null;
        FailureHistory? failures = renewalState is { ConsecutiveFailures: > 0, LastFailureAt: { } failedAt }
            ? new FailureHistory(renewalState.ConsecutiveFailures, failedAt, renewalState.RetryAfter, renewalState.NextAriCheck)
            : null;
        var decision = RenewalPlanner.Decide(
            state?.Current?.RevokedAt is null ? current : null,
            new DesiredCertificate(certificate.Domains, certificate.KeyType),
            ari,
            RenewalPolicy.Default with { CheckInterval = renewal.CheckInterval },
            failures,
            now,
            renewalState?.RandomFraction ?? StableFraction(certificate.Name, state?.Current?.Serial),
            force);

        // ACM renews an acm-export certificate itself: the lifetime and ARI rules do not apply to it. What is left is
        // "missing", names or key type changed, revoked, forced and backoff; ACM's renewals are found at each check.
        if (certificate.Issuer == CertificateIssuers.AcmExport && decision.Reason is RenewalReason.AriWindow or RenewalReason.OneThirdLifetime
            or RenewalReason.HalfLifetime or RenewalReason.Emergency)
        {
            decision = new RenewalDecision(now + renewal.CheckInterval, RenewalReason.AcmManaged,
                "ACM renews this certificate itself; each check asks ACM and exports the certificate again when its serial changes.");
        }

        // A revoked certificate is planned like a missing one (now, subject to failure backoff), under its own reason.
        return state?.Current is { RevokedAt: { } revokedAt } revoked && decision.Reason == RenewalReason.Missing
            ? decision with
            {
                Reason = RenewalReason.Revoked,
                Explanation = string.Create(CultureInfo.InvariantCulture,
                    $"The certificate {revoked.Serial} was revoked ({revoked.RevocationReason ?? "unspecified"}) at {revokedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z; replacing it."),
            }
            : decision;
    }

    /// <summary>
    /// A fraction in [0, 1) that is the same for the same certificate version in every process and every release
    /// (XxHash64 with seed 0 is a fixed function; nothing secret rides on it, so no cryptographic hash and no OpenSSL).
    /// </summary>
    public static double StableFraction(string name, string? serial)
    {
        var hash = System.IO.Hashing.XxHash64.HashToUInt64(System.Text.Encoding.UTF8.GetBytes(name + "/" + serial));
        return (hash >> 11) / (double)(1UL << 53);
    }
}
