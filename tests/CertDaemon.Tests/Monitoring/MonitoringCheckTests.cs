using CertDaemon.Kernel;
using CertDaemon.Configuration;
using CertDaemon.Monitoring;
using CertDaemon.Renewal;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Tests.Monitoring;

/// <summary>
/// <c>status --check</c> judged at several points of 6-, 45- and 90-day lifetimes: the thresholds are fractions of
/// each certificate's own lifetime (a fixed "30 days" would call every 6-day certificate critical).
/// </summary>
public sealed class MonitoringCheckTests
{
    private static readonly DateTimeOffset Issued = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ManagedCertificate Certificate = new("site", ["example.com"], KeyType.Ec256, null, null, null, null, Nginx: true, null, []);

    public static TheoryData<int, double, bool, int, string> Points => new()
    {
        // lifetime (days), age (days), renewal failing since the due moment, expected exit code, words in the line
        { 6, 0.5, false, 0, "live and deployed" },
        { 6, 3.0, false, 0, "live and deployed" },            // due now (half-life for short lifetimes), not yet overdue
        { 6, 3.2, true, 1, "renewal overdue" },               // 4.8 h past due (> 1/50 of 6 days = 2.9 h)
        { 6, 5.5, true, 2, "less than 1/10" },                // 0.5 d left < 0.6 d
        { 6, 6.1, true, 2, "EXPIRED" },
        { 45, 10, false, 0, "live and deployed" },
        { 45, 30.5, true, 0, "live and deployed" },           // due at 30 d; 0.5 d past is within the 0.9 d grace
        { 45, 31.5, true, 1, "renewal overdue" },
        { 45, 41.0, true, 2, "less than 1/10" },              // 4 d left < 4.5 d
        { 90, 30, false, 0, "live and deployed" },
        { 90, 61, false, 0, "live and deployed" },            // 1 d past due: within 1.8 d grace
        { 90, 63, true, 1, "renewal overdue" },
        { 90, 80.5, true, 1, "renewal overdue" },             // 9.5 d left
        { 90, 82, true, 2, "less than 1/10" },                // 8 d left < 9 d
        { 90, 91, true, 2, "EXPIRED" },
    };

    [Theory]
    [MemberData(nameof(Points))]
    public void Thresholds_are_fractions_of_the_certificates_own_lifetime(int lifetimeDays, double ageDays, bool failing, int exitCode, string words)
    {
        var now = Issued + TimeSpan.FromDays(ageDays);
        var status = Status(Issued, TimeSpan.FromDays(lifetimeDays), now, failing, nginxHoldsCurrent: true);

        var verdict = MonitoringCheck.Evaluate([status], now);

        Assert.True(exitCode == verdict.ExitCode, $"{lifetimeDays}-day certificate at {ageDays} days: {verdict.Line}");
        Assert.Contains(words, verdict.Line, StringComparison.Ordinal);
        Assert.Single(verdict.Line.Split('\n'));
        Assert.StartsWith($"CERTDAEMON {MonitoringCheck.Label(verdict.State)}: ", verdict.Line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_target_serving_the_previous_version_warns_and_turns_critical_on_its_own_expiry_not_the_live_ones()
    {
        var lifetime = TimeSpan.FromDays(90);
        var renewedAt = Issued + TimeSpan.FromDays(60);
        var now = renewedAt + TimeSpan.FromHours(1);
        // nginx refused the new version: it serves the old one, 29 days left.
        var status = Status(renewedAt, lifetime, now, failing: true, nginxHoldsCurrent: false, nginxNotAfter: Issued + lifetime);
        var warning = MonitoringCheck.Evaluate([status], now);
        Assert.Equal(1, warning.ExitCode);
        Assert.Contains("nginx holds 0a01, not the live version 0b02", warning.Line, StringComparison.Ordinal);

        // Three weeks later nginx still serves it: less than 9 days left on what is served is critical.
        now = renewedAt + TimeSpan.FromDays(22);
        status = Status(renewedAt, lifetime, now, failing: true, nginxHoldsCurrent: false, nginxNotAfter: Issued + lifetime);
        var critical = MonitoringCheck.Evaluate([status], now);
        Assert.Equal(2, critical.ExitCode);
        Assert.Contains("nginx (0a01) expires in 8", critical.Line, StringComparison.Ordinal);
    }

    [Fact]
    public void No_certificate_is_a_warning_until_an_attempt_failed_and_unreadable_state_is_unknown()
    {
        var now = Issued;
        var reader = Reader();
        var fresh = reader.Describe(Certificate, null, now);
        Assert.Equal(1, MonitoringCheck.Evaluate([fresh], now).ExitCode);
        var failed = reader.Describe(Certificate, new CertificateState { Name = "site", LastError = new StateError("rateLimited", now) }, now);
        Assert.Equal(2, MonitoringCheck.Evaluate([failed], now).ExitCode);
        Assert.Equal(3, MonitoringCheck.Unknown("cannot read").ExitCode);
    }

    private static CertificateStatus Status(
        DateTimeOffset notBefore, TimeSpan lifetime, DateTimeOffset now, bool failing, bool nginxHoldsCurrent, DateTimeOffset? nginxNotAfter = null)
    {
        var serial = nginxHoldsCurrent ? "0a01" : "0b02";
        var state = new CertificateState
        {
            Name = "site",
            Current = new CurrentCertificate(2, serial, ["example.com"], "ec256", notBefore, notBefore + lifetime, null, new Uri("https://ca.test/directory"), notBefore),
            Targets = new Dictionary<string, TargetState>
            {
                ["nginx"] = nginxHoldsCurrent
                    ? new TargetState { HeldSerial = serial, HeldNotAfter = notBefore + lifetime }
                    : new TargetState { HeldSerial = "0a01", HeldNotAfter = nginxNotAfter, ConsecutiveFailures = 1, LastAttemptAt = now },
            },
            Renewal = failing ? new RenewalState(0.5, ConsecutiveFailures: 4, LastFailureAt: now, CertificateSerial: serial) : new RenewalState(0.5, CertificateSerial: serial),
            LastError = failing ? new StateError("the CA is down", now) : null,
        };
        return Reader().Describe(Certificate, state, now);
    }

    private static CertificateStatusReader Reader()
    {
        var options = new CertDaemonOptions { StateDirectory = "/nonexistent-state", CertificateDirectory = "/etc/letsencrypt" };
        var states = new CertificateStateStore(options.StateDirectory, TimeProvider.System, NullLogger.Instance);
        return new CertificateStatusReader(options, new ManagedCertificateCatalog(options, states), states, TimeProvider.System);
    }
}
