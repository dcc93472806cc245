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
            // The fraction only places a renewal inside an ARI window, and an ARI window exists only in a stored renewal
            // state, which carries its own fraction: without one, any value gives the same decision.
            renewalState?.RandomFraction ?? 0,
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
}
