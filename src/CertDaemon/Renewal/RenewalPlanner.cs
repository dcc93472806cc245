using System.Globalization;
using CertDaemon.Kernel;

namespace CertDaemon.Renewal;

/// <summary>
/// Decides when a certificate should be renewed, and why. Pure: the clock (<c>now</c>) and randomness
/// (<c>random01</c>) are arguments, so the same inputs always give the same decision.
/// </summary>
/// <remarks>
/// Order of rules: forced; missing; names changed; key type changed (all "now"); then the planned time from ARI or
/// the lifetime fraction, never later than the emergency point (1/20 of the lifetime left); then failure backoff,
/// which can only move the time later. Fractions are of <c>NotAfter - NotBefore</c>: nothing assumes 90 days.
/// </remarks>
internal static class RenewalPlanner
{
    /// <summary>Decides when to renew.</summary>
    /// <param name="current">The live certificate, or <see langword="null"/> when there is none.</param>
    /// <param name="desired">What is configured.</param>
    /// <param name="ari">The CA's ARI window for <paramref name="current"/>, if it gave one.</param>
    /// <param name="policy">Tunables; <see cref="RenewalPolicy.Default"/> normally.</param>
    /// <param name="failures">Failed attempts since the last success, if any.</param>
    /// <param name="now">The current time (from the injected <see cref="TimeProvider"/>).</param>
    /// <param name="random01">A number in [0, 1) choosing the moment inside an ARI window. Keep it stable per certificate
    /// (e.g. stored with its state) so repeated decisions pick the same moment instead of drifting early.</param>
    /// <param name="force">The operator asked for a renewal now; overrides everything, backoff included.</param>
    public static RenewalDecision Decide(
        CertificateFacts? current,
        DesiredCertificate desired,
        AriWindow? ari,
        RenewalPolicy policy,
        FailureHistory? failures,
        DateTimeOffset now,
        double random01,
        bool force = false)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(policy);
        if (double.IsNaN(random01) || random01 < 0 || random01 >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(random01), random01, "Must be in [0, 1).");
        }

        if (force)
        {
            return new(now, RenewalReason.Forced, "Renewal was requested explicitly.");
        }

        var planned = Plan(current, desired, ari, policy, now, random01);
        return ApplyBackoff(planned, failures, policy);
    }

    /// <summary>
    /// When to ask the CA's <c>renewalInfo</c> again (RFC 9773 section 4.3). With a <c>Retry-After</c>: exactly then,
    /// clamped to [<see cref="RenewalPolicy.AriRetryAfterMinimum"/>, <see cref="RenewalPolicy.AriCheckIntervalMaximum"/>].
    /// Without: after <see cref="RenewalPolicy.CheckInterval"/> less a random part of it (up to
    /// <see cref="RenewalPolicy.CheckJitterFraction"/>), so checks stay at least twice a day and do not all land together.
    /// Callers stop checking once the certificate has expired or been replaced.
    /// </summary>
    public static DateTimeOffset NextAriCheck(DateTimeOffset now, TimeSpan? retryAfter, RenewalPolicy policy, double random01)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (double.IsNaN(random01) || random01 < 0 || random01 >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(random01), random01, "Must be in [0, 1).");
        }

        if (retryAfter is { } wait)
        {
            var clamped = wait < policy.AriRetryAfterMinimum ? policy.AriRetryAfterMinimum
                : wait > policy.AriCheckIntervalMaximum ? policy.AriCheckIntervalMaximum
                : wait;
            return now + clamped;
        }

        var interval = policy.CheckInterval < policy.AriCheckIntervalMaximum ? policy.CheckInterval : policy.AriCheckIntervalMaximum;
        return now + (interval * (1 - (policy.CheckJitterFraction * random01)));
    }

    private static RenewalDecision Plan(CertificateFacts? current, DesiredCertificate desired, AriWindow? ari, RenewalPolicy policy, DateTimeOffset now, double random01)
    {
        if (current is null)
        {
            return new(now, RenewalReason.Missing, "There is no certificate yet.");
        }

        if (!SameNames(current.Domains, desired.Domains))
        {
            return new(now, RenewalReason.DomainsChanged,
                $"The certificate covers {string.Join(", ", current.Domains)}; the configuration asks for {string.Join(", ", desired.Domains)}.");
        }

        if (current.KeyType != desired.KeyType)
        {
            return new(now, RenewalReason.KeyTypeChanged,
                $"The certificate has a {KeyTypeNames.ToName(current.KeyType)} key; the configuration asks for {KeyTypeNames.ToName(desired.KeyType)}.");
        }

        var lifetime = current.Lifetime;
        var emergencyAt = current.NotAfter - (lifetime * policy.EmergencyFraction);
        if (lifetime <= TimeSpan.Zero || now >= emergencyAt)
        {
            return new(now, RenewalReason.Emergency,
                $"Only {Describe(current.NotAfter - now)} of the {Describe(lifetime)} lifetime is left (under {Fraction(policy.EmergencyFraction)}); renewing now regardless of ARI.");
        }

        RenewalDecision planned;
        if (ari is { IsValid: true })
        {
            // RFC 9773 4.2: pick a uniformly random time inside the suggested window; if it is in the past, renew now.
            var chosen = ari.Start + ((ari.End - ari.Start) * random01);
            var because = ari.ExplanationUrl is null ? "" : $" (the CA explains: {ari.ExplanationUrl})";
            planned = chosen <= now
                ? new(now, RenewalReason.AriWindow, $"The ARI window {Stamp(ari.Start)} to {Stamp(ari.End)} has started and its chosen moment {Stamp(chosen)} has passed{because}.")
                : new(chosen, RenewalReason.AriWindow, $"Chosen at random in the ARI window {Stamp(ari.Start)} to {Stamp(ari.End)}{because}.");
        }
        else
        {
            var shortLived = lifetime < policy.ShortLifetimeThreshold;
            var fraction = shortLived ? 1.0 / 2 : 1.0 / 3;
            var at = current.NotAfter - (lifetime * fraction);
            var invalid = ari is null ? "" : " The CA's ARI window was invalid (end not after start) and is ignored (RFC 9773 4.2).";
            planned = new(at > now ? at : now,
                shortLived ? RenewalReason.HalfLifetime : RenewalReason.OneThirdLifetime,
                $"No ARI window: renew when {Fraction(fraction)} of the {Describe(lifetime)} lifetime is left, at {Stamp(at)}.{invalid}");
        }

        // The emergency point caps any plan: a late ARI window never lets the certificate get that close to expiry.
        return planned.RenewAt > emergencyAt
            ? new(emergencyAt, RenewalReason.Emergency,
                $"{planned.Explanation} That is later than the emergency point {Stamp(emergencyAt)} ({Fraction(policy.EmergencyFraction)} of the lifetime left), so renewing then.")
            : planned;
    }

    /// <summary>
    /// After the 1st, 2nd, 3rd failure wait the policy's steps (1, 10, 100 minutes); after more, wait for the next
    /// regular check (but at least the last step), or in an emergency keep retrying every last step. A CA
    /// <c>Retry-After</c> is always honoured. Backoff only ever delays.
    /// </summary>
    private static RenewalDecision ApplyBackoff(RenewalDecision planned, FailureHistory? failures, RenewalPolicy policy)
    {
        if (failures is not { ConsecutiveFailures: > 0 } || policy.BackoffSteps.Count == 0)
        {
            return planned;
        }

        var steps = policy.BackoffSteps;
        var count = failures.ConsecutiveFailures;
        DateTimeOffset earliest;
        string rule;
        if (count <= steps.Count)
        {
            earliest = failures.LastFailureAt + steps[count - 1];
            rule = $"{Ordinal(count)} failure in a row: wait {Describe(steps[count - 1])}";
        }
        else if (planned.Reason == RenewalReason.Emergency)
        {
            earliest = failures.LastFailureAt + steps[^1];
            rule = $"{count} failures in a row, and expiry is close: retry every {Describe(steps[^1])}";
        }
        else
        {
            var regular = failures.NextRegularCheck ?? failures.LastFailureAt + policy.CheckInterval;
            var floor = failures.LastFailureAt + steps[^1];
            earliest = regular > floor ? regular : floor;
            rule = $"{count} failures in a row: retry at the next regular check";
        }

        if (failures.RetryAfter is { } retryAfter && retryAfter > earliest)
        {
            earliest = retryAfter;
            rule += $", and the CA asked to wait until {Stamp(retryAfter)}";
        }

        if (earliest <= planned.RenewAt)
        {
            return planned;
        }

        return new(earliest, RenewalReason.Backoff,
            $"{rule}; otherwise {planned.Reason.ToName()}: {planned.Explanation}");
    }

    /// <summary>Whether two lists name the same domains, in any order and case.</summary>
    internal static bool SameNames(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        new HashSet<string>(a, StringComparer.OrdinalIgnoreCase).SetEquals(b);

    private static string Stamp(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Describe(TimeSpan value) =>
        value.TotalDays >= 2 ? $"{value.TotalDays.ToString("0.#", CultureInfo.InvariantCulture)} days"
        : value.TotalHours >= 2 ? $"{value.TotalHours.ToString("0.#", CultureInfo.InvariantCulture)} hours"
        : $"{value.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture)} minutes";

    private static string Fraction(double value) => value switch
    {
        0.5 => "half",
        _ when Math.Abs(value - (1.0 / 3)) < 1e-9 => "one third",
        _ when Math.Abs(value - (1.0 / 20)) < 1e-9 => "1/20",
        _ => value.ToString("P1", CultureInfo.InvariantCulture),
    };

    private static string Ordinal(int n) => n switch
    {
        1 => "1st",
        2 => "2nd",
        3 => "3rd",
        _ => n.ToString(CultureInfo.InvariantCulture) + "th",
    };
}
