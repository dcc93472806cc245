using CertDaemon.Kernel;
using CertDaemon.Renewal;
using Microsoft.Extensions.Time.Testing;

namespace CertDaemon.Tests.Renewal;

public sealed class RenewalPlannerTests
{
    private static readonly DateTimeOffset Issued = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Names = ["example.com", "*.example.com"];
    private static readonly DesiredCertificate Desired = new(Names, KeyType.Ec256);

    private static CertificateFacts Certificate(double lifetimeDays) =>
        new(Issued, Issued + TimeSpan.FromDays(lifetimeDays), Names, KeyType.Ec256);

    /// <summary>A clock standing <paramref name="days"/> after issuance.</summary>
    private static FakeTimeProvider ClockAt(double days)
    {
        var clock = new FakeTimeProvider(Issued);
        clock.Advance(TimeSpan.FromDays(days));
        return clock;
    }

    private static RenewalDecision Decide(CertificateFacts? current, TimeProvider clock, AriWindow? ari = null, FailureHistory? failures = null, double random01 = 0.5, DesiredCertificate? desired = null, bool force = false) =>
        RenewalPlanner.Decide(current, desired ?? Desired, ari, RenewalPolicy.Default, failures, clock.GetUtcNow(), random01, force);

    public static TheoryData<double, double, RenewalReason> LifetimeFractions => new()
    {
        // lifetime days, expected renewal day, reason
        { 90, 60, RenewalReason.OneThirdLifetime },
        { 64, 64.0 * 2 / 3, RenewalReason.OneThirdLifetime },   // ~42.67
        { 45, 30, RenewalReason.OneThirdLifetime },
        { 10, 10.0 * 2 / 3, RenewalReason.OneThirdLifetime },   // 10 days is not "under 10 days"
        { 6, 3, RenewalReason.HalfLifetime },
        { 6.7, 3.35, RenewalReason.HalfLifetime },
    };

    [Theory]
    [MemberData(nameof(LifetimeFractions))]
    public void Without_ari_renews_at_the_lifetime_fraction(double lifetimeDays, double expectedDay, RenewalReason reason)
    {
        var clock = ClockAt(1);

        var decision = Decide(Certificate(lifetimeDays), clock);

        Assert.Equal(reason, decision.Reason);
        Assert.Equal(Issued + TimeSpan.FromDays(expectedDay), decision.RenewAt);
        Assert.False(decision.IsDue(clock.GetUtcNow()));
    }

    [Theory]
    [InlineData(90, 60)]
    [InlineData(45, 30)]
    [InlineData(6, 3)]
    public void Without_ari_is_due_once_the_fraction_point_has_passed(double lifetimeDays, double renewalDay)
    {
        var clock = ClockAt(renewalDay);
        clock.Advance(TimeSpan.FromMinutes(1));

        var decision = Decide(Certificate(lifetimeDays), clock);

        Assert.Equal(clock.GetUtcNow(), decision.RenewAt);
        Assert.True(decision.IsDue(clock.GetUtcNow()));
    }

    [Fact]
    public void Ari_window_in_the_future_picks_the_moment_chosen_by_random01()
    {
        var clock = ClockAt(10);
        var window = new AriWindow(Issued + TimeSpan.FromDays(50), Issued + TimeSpan.FromDays(52));

        Assert.Equal(window.Start, Decide(Certificate(90), clock, window, random01: 0).RenewAt);
        Assert.Equal(window.Start + TimeSpan.FromDays(0.5), Decide(Certificate(90), clock, window, random01: 0.25).RenewAt);
        var last = Decide(Certificate(90), clock, window, random01: 0.999999);
        Assert.True(last.RenewAt < window.End);
        Assert.Equal(RenewalReason.AriWindow, last.Reason);
    }

    [Fact]
    public void Ari_window_later_than_the_lifetime_fraction_is_followed()
    {
        // ARI is authoritative: a window after the two-thirds point is not second-guessed (until the emergency point).
        var window = new AriWindow(Issued + TimeSpan.FromDays(70), Issued + TimeSpan.FromDays(72));

        var decision = Decide(Certificate(90), ClockAt(10), window, random01: 0.5);

        Assert.Equal(RenewalReason.AriWindow, decision.Reason);
        Assert.Equal(Issued + TimeSpan.FromDays(71), decision.RenewAt);
    }

    [Fact]
    public void Ari_window_in_progress_with_chosen_moment_still_ahead_waits_for_it()
    {
        var clock = ClockAt(51);
        var window = new AriWindow(Issued + TimeSpan.FromDays(50), Issued + TimeSpan.FromDays(54));

        var decision = Decide(Certificate(90), clock, window, random01: 0.75);

        Assert.Equal(Issued + TimeSpan.FromDays(53), decision.RenewAt);
        Assert.Equal(RenewalReason.AriWindow, decision.Reason);
    }

    [Fact]
    public void Ari_window_in_progress_with_chosen_moment_past_renews_now()
    {
        var clock = ClockAt(53);
        var window = new AriWindow(Issued + TimeSpan.FromDays(50), Issued + TimeSpan.FromDays(54));

        var decision = Decide(Certificate(90), clock, window, random01: 0.25);

        Assert.Equal(clock.GetUtcNow(), decision.RenewAt);
        Assert.Equal(RenewalReason.AriWindow, decision.Reason);
    }

    [Fact]
    public void Ari_window_entirely_passed_renews_now()
    {
        // A window wholly in the past is how a CA asks for immediate renewal (e.g. before a revocation).
        var clock = ClockAt(20);
        var window = new AriWindow(Issued + TimeSpan.FromDays(1), Issued + TimeSpan.FromDays(2), new Uri("https://ca.example/incident"));

        var decision = Decide(Certificate(90), clock, window, random01: 0.9);

        Assert.True(decision.IsDue(clock.GetUtcNow()));
        Assert.Equal(RenewalReason.AriWindow, decision.Reason);
        Assert.Contains("https://ca.example/incident", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_ari_window_falls_back_to_the_lifetime_fraction()
    {
        var window = new AriWindow(Issued + TimeSpan.FromDays(80), Issued + TimeSpan.FromDays(80));

        var decision = Decide(Certificate(90), ClockAt(1), window);

        Assert.Equal(RenewalReason.OneThirdLifetime, decision.Reason);
        Assert.Equal(Issued + TimeSpan.FromDays(60), decision.RenewAt);
        Assert.Contains("invalid", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Emergency_beats_a_later_ari_window()
    {
        // 90 days: emergency under 4.5 days left, i.e. from day 85.5.
        var clock = ClockAt(86);
        var window = new AriWindow(Issued + TimeSpan.FromDays(88), Issued + TimeSpan.FromDays(89));

        var decision = Decide(Certificate(90), clock, window);

        Assert.Equal(RenewalReason.Emergency, decision.Reason);
        Assert.Equal(clock.GetUtcNow(), decision.RenewAt);
    }

    [Fact]
    public void Ari_window_beyond_the_emergency_point_is_capped_to_it()
    {
        var window = new AriWindow(Issued + TimeSpan.FromDays(88), Issued + TimeSpan.FromDays(89));

        var decision = Decide(Certificate(90), ClockAt(10), window);

        Assert.Equal(RenewalReason.Emergency, decision.Reason);
        Assert.Equal(Issued + TimeSpan.FromDays(85.5), decision.RenewAt);
    }

    [Fact]
    public void Expired_certificate_is_an_emergency()
    {
        var clock = ClockAt(7);

        var decision = Decide(Certificate(6), clock);

        Assert.Equal(RenewalReason.Emergency, decision.Reason);
        Assert.True(decision.IsDue(clock.GetUtcNow()));
    }

    [Fact]
    public void Missing_certificate_renews_now()
    {
        var clock = ClockAt(0);

        var decision = Decide(null, clock);

        Assert.Equal(RenewalReason.Missing, decision.Reason);
        Assert.Equal("missing", decision.ReasonName);
        Assert.Equal(clock.GetUtcNow(), decision.RenewAt);
    }

    [Fact]
    public void Changed_names_renew_now_even_with_a_later_ari_window()
    {
        var clock = ClockAt(1);
        var desired = new DesiredCertificate(["example.com", "*.example.com", "api.example.net"], KeyType.Ec256);
        var window = new AriWindow(Issued + TimeSpan.FromDays(50), Issued + TimeSpan.FromDays(52));

        var decision = Decide(Certificate(90), clock, window, desired: desired);

        Assert.Equal(RenewalReason.DomainsChanged, decision.Reason);
        Assert.Equal("domains-changed", decision.ReasonName);
        Assert.Equal(clock.GetUtcNow(), decision.RenewAt);
    }

    [Fact]
    public void Same_names_in_another_order_or_case_are_not_a_change()
    {
        var desired = new DesiredCertificate(["*.EXAMPLE.com", "example.com"], KeyType.Ec256);

        var decision = Decide(Certificate(90), ClockAt(1), desired: desired);

        Assert.Equal(RenewalReason.OneThirdLifetime, decision.Reason);
    }

    [Fact]
    public void Changed_key_type_renews_now()
    {
        var clock = ClockAt(1);

        var decision = Decide(Certificate(90), clock, desired: Desired with { KeyType = KeyType.Rsa2048 });

        Assert.Equal(RenewalReason.KeyTypeChanged, decision.Reason);
        Assert.Equal("key-type-changed", decision.ReasonName);
        Assert.Equal(clock.GetUtcNow(), decision.RenewAt);
    }

    [Fact]
    public void Forced_renews_now_whatever_the_backoff()
    {
        var clock = ClockAt(1);
        var failures = new FailureHistory(5, clock.GetUtcNow(), RetryAfter: clock.GetUtcNow() + TimeSpan.FromHours(3));

        var decision = Decide(Certificate(90), clock, failures: failures, force: true);

        Assert.Equal(RenewalReason.Forced, decision.Reason);
        Assert.Equal("forced", decision.ReasonName);
        Assert.Equal(clock.GetUtcNow(), decision.RenewAt);
    }

    public static TheoryData<int, double> BackoffSteps => new()
    {
        // consecutive failures, minutes after the last failure
        { 1, 1 },
        { 2, 10 },
        { 3, 100 },
    };

    [Theory]
    [MemberData(nameof(BackoffSteps))]
    public void Each_backoff_step_delays_a_due_renewal(int failureCount, double minutes)
    {
        var clock = ClockAt(61);
        var lastFailure = clock.GetUtcNow();
        clock.Advance(TimeSpan.FromSeconds(5));

        var decision = Decide(Certificate(90), clock, failures: new FailureHistory(failureCount, lastFailure));

        Assert.Equal(RenewalReason.Backoff, decision.Reason);
        Assert.Equal(lastFailure + TimeSpan.FromMinutes(minutes), decision.RenewAt);
        Assert.Contains("one-third-lifetime", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void After_the_steps_retries_wait_for_the_next_regular_check()
    {
        var clock = ClockAt(61);
        var lastFailure = clock.GetUtcNow();
        var nextCheck = lastFailure + TimeSpan.FromHours(12);

        var decision = Decide(Certificate(90), clock, failures: new FailureHistory(4, lastFailure, NextRegularCheck: nextCheck));

        Assert.Equal(RenewalReason.Backoff, decision.Reason);
        Assert.Equal(nextCheck, decision.RenewAt);
    }

    [Fact]
    public void After_the_steps_a_too_early_regular_check_still_waits_the_last_step()
    {
        var clock = ClockAt(61);
        var lastFailure = clock.GetUtcNow();

        var decision = Decide(Certificate(90), clock, failures: new FailureHistory(7, lastFailure, NextRegularCheck: lastFailure + TimeSpan.FromMinutes(5)));

        Assert.Equal(lastFailure + TimeSpan.FromMinutes(100), decision.RenewAt);
    }

    [Fact]
    public void After_the_steps_without_a_known_check_waits_the_policy_check_interval()
    {
        var clock = ClockAt(61);
        var lastFailure = clock.GetUtcNow();

        var decision = Decide(Certificate(90), clock, failures: new FailureHistory(4, lastFailure));

        Assert.Equal(lastFailure + RenewalPolicy.Default.CheckInterval, decision.RenewAt);
    }

    [Fact]
    public void In_an_emergency_retries_continue_every_last_step()
    {
        var clock = ClockAt(86);
        var lastFailure = clock.GetUtcNow();

        var decision = Decide(Certificate(90), clock, failures: new FailureHistory(6, lastFailure, NextRegularCheck: lastFailure + TimeSpan.FromHours(12)));

        Assert.Equal(RenewalReason.Backoff, decision.Reason);
        Assert.Equal(lastFailure + TimeSpan.FromMinutes(100), decision.RenewAt);
        Assert.Contains("emergency", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Backoff_never_makes_a_renewal_earlier_than_planned()
    {
        var clock = ClockAt(10);
        var failures = new FailureHistory(1, clock.GetUtcNow() - TimeSpan.FromMinutes(30));

        var decision = Decide(Certificate(90), clock, failures: failures);

        Assert.Equal(RenewalReason.OneThirdLifetime, decision.Reason);
        Assert.Equal(Issued + TimeSpan.FromDays(60), decision.RenewAt);
    }

    [Fact]
    public void Backoff_that_has_elapsed_lets_the_renewal_run()
    {
        var clock = ClockAt(61);
        var failures = new FailureHistory(2, clock.GetUtcNow() - TimeSpan.FromMinutes(11));

        var decision = Decide(Certificate(90), clock, failures: failures);

        Assert.True(decision.IsDue(clock.GetUtcNow()));
        Assert.Equal(RenewalReason.OneThirdLifetime, decision.Reason);
    }

    [Fact]
    public void Ca_retry_after_is_honoured_beyond_the_step()
    {
        var clock = ClockAt(61);
        var lastFailure = clock.GetUtcNow();
        var retryAfter = lastFailure + TimeSpan.FromHours(3);

        var decision = Decide(Certificate(90), clock, failures: new FailureHistory(1, lastFailure, RetryAfter: retryAfter));

        Assert.Equal(retryAfter, decision.RenewAt);
        Assert.Equal(RenewalReason.Backoff, decision.Reason);
    }

    [Fact]
    public void Backoff_applies_to_a_missing_certificate_too()
    {
        var clock = ClockAt(0);
        var lastFailure = clock.GetUtcNow();

        var decision = Decide(null, clock, failures: new FailureHistory(2, lastFailure));

        Assert.Equal(lastFailure + TimeSpan.FromMinutes(10), decision.RenewAt);
        Assert.Contains("missing", decision.Explanation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Random01_outside_the_unit_interval_is_refused(double random01) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Decide(Certificate(90), ClockAt(1), random01: random01));

    [Theory]
    [InlineData(30.0, 60.0)]        // 30 s -> 1 min (RFC 9773 4.3)
    [InlineData(21600.0, 21600.0)]  // 6 h honoured exactly
    [InlineData(172800.0, 43200.0)] // 2 days -> 12 h (twice a day)
    public void Next_ari_check_honours_retry_after_within_limits(double retryAfterSeconds, double expectedSeconds)
    {
        var now = ClockAt(1).GetUtcNow();

        var next = RenewalPlanner.NextAriCheck(now, TimeSpan.FromSeconds(retryAfterSeconds), RenewalPolicy.Default, 0.5);

        Assert.Equal(now + TimeSpan.FromSeconds(expectedSeconds), next);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.999)]
    public void Next_ari_check_without_retry_after_is_at_most_twelve_hours_away_with_jitter(double random01)
    {
        var now = ClockAt(1).GetUtcNow();

        var next = RenewalPlanner.NextAriCheck(now, null, RenewalPolicy.Default, random01);

        Assert.InRange(next - now, TimeSpan.FromHours(10.8), TimeSpan.FromHours(12));
        Assert.Equal(now + (TimeSpan.FromHours(12) * (1 - (0.1 * random01))), next);
    }

    [Fact]
    public void Reason_names_are_stable()
    {
        Assert.Equal(
            ["forced", "missing", "domains-changed", "key-type-changed", "emergency", "ari-window", "one-third-lifetime", "half-lifetime", "backoff", "revoked", "acm-managed", "acm-renewed"],
            Enum.GetValues<RenewalReason>().Select(r => r.ToName()));
    }
}
