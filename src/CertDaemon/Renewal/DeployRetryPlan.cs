using CertDaemon.Storage;

namespace CertDaemon.Renewal;

/// <summary>
/// When to try again a deploy target that did not take the live version. Pure: the stored per-target failures and
/// the renewal policy's backoff steps (1 min, 10 min, 100 min, then the regular check), so a broken nginx
/// configuration is retried soon after the operator fixes it, and never re-orders a certificate.
/// </summary>
internal static class DeployRetryPlan
{
    /// <summary>
    /// The earliest retry among <paramref name="targets"/> (target names) whose stored state does not hold the current
    /// version; null when every one holds it or there is no current version.
    /// </summary>
    public static DateTimeOffset? NextAttempt(CertificateState? state, IEnumerable<string> targets, RenewalPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(policy);
        if (state?.Current is not { } current)
        {
            return null;
        }

        DateTimeOffset? earliest = null;
        foreach (var name in targets)
        {
            var target = state.Targets.GetValueOrDefault(name);
            if (target is not null && string.Equals(target.HeldSerial, current.Serial, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // A target never tried (new in the configuration) is due now; a failing one waits its backoff step.
            var at = target is { ConsecutiveFailures: > 0, LastAttemptAt: { } last }
                ? last + (target.ConsecutiveFailures <= policy.BackoffSteps.Count ? policy.BackoffSteps[target.ConsecutiveFailures - 1] : policy.CheckInterval)
                : now;
            if (earliest is null || at < earliest)
            {
                earliest = at;
            }
        }

        return earliest;
    }
}
