using CertDaemon.Acme;
using CertDaemon.Configuration;
using CertDaemon.Kernel;
using CertDaemon.Renewal;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

using CertDaemon.Tests.Testbed;

namespace CertDaemon.Tests.Renewal;

/// <summary>
/// <see cref="RenewalCoordinator"/> with a fake clock, the real state store (in a temporary directory) and fakes for
/// the lifecycle and ARI: which plan it acts on, what it remembers, what it logs, and when it wants to look again.
/// </summary>
public sealed class RenewalCoordinatorTests : IDisposable
{
    private static readonly Uri Directory = new("https://ca.test/directory");
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("certdaemon-coordinator-").FullName;
    private readonly FakeTimeProvider _clock = new(Start);
    private readonly FakeRenewer _renewer;
    private readonly FakeRenewalInfo _ari = new();
    private readonly SequenceRandom _random = new(0.5, 0.25, 0.75);
    private readonly CapturingLogger<RenewalCoordinator> _log = new();
    private readonly CertificateStateStore _states;
    private readonly RenewalCoordinator _coordinator;
    private readonly ManagedCertificate _certificate = new("site", ["example.com", "*.example.com"], KeyType.Ec256, null, null, null, null, Nginx: true, null, []);

    public RenewalCoordinatorTests()
    {
        _states = new CertificateStateStore(_root, _clock, NullLogger.Instance);
        _renewer = new FakeRenewer(_states, _clock);
        var options = new CertDaemonOptions { Acme = new AcmeOptions { DirectoryUrl = Directory } };
        _coordinator = new RenewalCoordinator(options, _states, _renewer, _ari, _random, _clock, _log);
    }

    public void Dispose() => System.IO.Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_renewal_nginx_refuses_is_a_failed_run_retried_at_the_deploy_backoff_without_reordering_and_recovers_once_fixed()
    {
        var observer = new RecordingObserver();
        var coordinator = new RenewalCoordinator(
            new CertDaemonOptions { Acme = new AcmeOptions { DirectoryUrl = Directory } }, _states, _renewer, _ari, _random, _clock, _log, [observer]);
        await IssuedDaysAgoAsync(70);
        _renewer.NginxBroken = true;

        var failed = await coordinator.CheckAsync(_certificate, force: false, CancellationToken.None);

        Assert.Equal(RenewalCheckOutcome.NotDeployed, failed.Outcome);
        Assert.False(failed.Succeeded);
        Assert.Contains("nginx", Assert.IsType<DeploymentFailedException>(failed.Error).Message, StringComparison.Ordinal);
        // Not 60 days later from the new certificate: the first backoff step after the failed deployment.
        Assert.Equal(Start + TimeSpan.FromMinutes(1), failed.NextCheckAt);
        var renewalFailed = Assert.Single(_log.Named("RenewalFailed"));
        Assert.Contains("nginx", renewalFailed.Property("Error"), StringComparison.Ordinal);
        var state = await _states.LoadAsync("site", CancellationToken.None);
        Assert.Equal(1, state!.Checks!.FailedRuns);
        Assert.Equal(Start, state.Checks.FailingSince);

        // Still broken a minute later: the deploy is retried (no new order), the next step is 10 minutes.
        _clock.Advance(TimeSpan.FromMinutes(1));
        var again = await coordinator.CheckAsync(_certificate, force: false, CancellationToken.None);
        Assert.Equal(RenewalCheckOutcome.NotDue, again.Outcome);
        Assert.False(again.Succeeded);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromMinutes(10), again.NextCheckAt);
        Assert.Equal(1, _renewer.Issued);

        // Fixed: the next check deploys the same serial, nothing is re-ordered, the failure is over.
        _renewer.NginxBroken = false;
        _clock.Advance(TimeSpan.FromMinutes(10));
        var recovered = await coordinator.CheckAsync(_certificate, force: false, CancellationToken.None);
        Assert.True(recovered.Succeeded);
        Assert.Equal(1, _renewer.Issued);
        state = await _states.LoadAsync("site", CancellationToken.None);
        Assert.Equal(state!.Current!.Serial, state.Targets["nginx"].HeldSerial);
        Assert.Null(state.Checks!.FailingSince);
        Assert.Equal(2, state.Checks.FailedRuns);
        Assert.Equal([null, Start, Start], observer.FailingSinceBefore);
    }

    private sealed class RecordingObserver : IRenewalCheckObserver
    {
        public List<DateTimeOffset?> FailingSinceBefore { get; } = [];

        public Task OnCheckedAsync(ManagedCertificate certificate, RenewalCheckResult result, CheckHistory? before, CertificateState state, CancellationToken cancellationToken)
        {
            FailingSinceBefore.Add(before?.FailingSince);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task A_missing_certificate_is_issued_and_the_next_check_follows_the_new_certificates_plan()
    {
        var result = await _coordinator.CheckAsync(_certificate, force: false, CancellationToken.None);

        Assert.Equal(RenewalCheckOutcome.Renewed, result.Outcome);
        Assert.Equal(RenewalReason.Missing, result.Decision.Reason);
        Assert.Equal(1, _renewer.Issued);
        var state = await _states.LoadAsync("site", CancellationToken.None);
        Assert.Equal(state!.Current!.Serial, state.Renewal!.CertificateSerial);
        Assert.Equal(0, state.Renewal.ConsecutiveFailures);
        // A 90-day certificate: renew at two thirds; the daemon looks again at the latest at the regular check (12 h, up to 10% early).
        Assert.Equal(RenewalReason.OneThirdLifetime, result.NextPlan.Reason);
        Assert.Equal(Start + TimeSpan.FromDays(60), result.NextPlan.RenewAt);
        Assert.InRange(result.NextCheckAt, Start + TimeSpan.FromHours(10.8), Start + TimeSpan.FromHours(12));
        Assert.Equal(["missing", "one-third-lifetime"], _log.Named("RenewalPlanned").Select(e => e.Property("Reason")));
    }

    [Fact]
    public async Task The_ari_window_is_used_its_explanation_logged_and_retry_after_honoured_and_the_plan_logged_once()
    {
        await IssuedDaysAgoAsync(10);
        var explanation = new Uri("https://ca.test/incident/42");
        _ari.Answer = new AriRenewalInfo(new AriSuggestedWindow(_clock.GetUtcNow() + TimeSpan.FromDays(5), _clock.GetUtcNow() + TimeSpan.FromDays(6)), explanation, _clock.GetUtcNow() + TimeSpan.FromHours(3));

        var first = await _coordinator.CheckAsync(_certificate, force: false, CancellationToken.None);

        Assert.Equal(RenewalCheckOutcome.NotDue, first.Outcome);
        Assert.Equal(RenewalReason.AriWindow, first.Decision.Reason);
        var fraction = (await _states.LoadAsync("site", CancellationToken.None))!.Renewal!.RandomFraction;
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromDays(5) + (TimeSpan.FromDays(1) * fraction), first.Decision.RenewAt);
        var received = Assert.Single(_log.Named("AriWindowReceived"));
        Assert.Equal(explanation.ToString(), received.Property("ExplanationUrl"));
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromHours(3), first.NextCheckAt); // the CA's Retry-After comes first
        Assert.Equal(0, _renewer.Issued);
        Assert.Equal(1, _renewer.DeployRetries);

        // Checking again before Retry-After: no ARI request, same plan, nothing new logged.
        _clock.Advance(TimeSpan.FromHours(1));
        var second = await _coordinator.CheckAsync(_certificate, force: false, CancellationToken.None);
        Assert.Equal(first.Decision.RenewAt, second.Decision.RenewAt);
        Assert.Equal(1, _ari.Calls);
        Assert.Single(_log.Named("RenewalPlanned"));
        Assert.Single(_log.Named("AriWindowReceived"));

        // After Retry-After the CA is asked again.
        _clock.Advance(TimeSpan.FromHours(2));
        await _coordinator.CheckAsync(_certificate, force: false, CancellationToken.None);
        Assert.Equal(2, _ari.Calls);
    }

    [Fact]
    public async Task An_ari_failure_is_logged_and_planning_falls_back_to_the_lifetime_rule()
    {
        await IssuedDaysAgoAsync(10);
        _ari.Failure = new HttpRequestException("connection refused");

        var result = await _coordinator.CheckAsync(_certificate, force: false, CancellationToken.None);

        Assert.Equal(RenewalCheckOutcome.NotDue, result.Outcome);
        Assert.Equal(RenewalReason.OneThirdLifetime, result.Decision.Reason);
        Assert.Contains("connection refused", Assert.Single(_log.Named("AriCheckFailed")).Message, StringComparison.Ordinal);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromHours(1), (await _states.LoadAsync("site", CancellationToken.None))!.Renewal!.NextAriCheck);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromHours(1), result.NextCheckAt);
    }

    [Fact]
    public async Task Failures_back_off_1_then_10_minutes_and_a_rate_limit_retry_after_is_honoured()
    {
        _renewer.Failures.Enqueue(new HttpRequestException("CA down"));
        var first = await _coordinator.CheckAsync(_certificate, force: false, CancellationToken.None);
        Assert.Equal(RenewalCheckOutcome.Failed, first.Outcome);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromMinutes(1), first.NextPlan.RenewAt);
        Assert.Equal(first.NextPlan.RenewAt, first.NextCheckAt);
        var failed = Assert.Single(_log.Named("RenewalFailed"));
        Assert.Equal("CA down", failed.Property("Error"));
        Assert.Equal(first.NextPlan.RenewAt, DateTimeOffset.Parse(failed.Property("RetryAt")!, System.Globalization.CultureInfo.InvariantCulture));

        // Before the backoff has passed nothing is attempted.
        _clock.Advance(TimeSpan.FromSeconds(30));
        var early = await _coordinator.CheckAsync(_certificate, force: false, CancellationToken.None);
        Assert.Equal(RenewalCheckOutcome.NotDue, early.Outcome);
        Assert.Equal(RenewalReason.Backoff, early.Decision.Reason);
        Assert.Equal(1, _renewer.Attempts);

        _clock.Advance(TimeSpan.FromSeconds(30));
        _renewer.Failures.Enqueue(new HttpRequestException("CA still down"));
        var second = await _coordinator.CheckAsync(_certificate, force: false, CancellationToken.None);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromMinutes(10), second.NextPlan.RenewAt);

        _clock.Advance(TimeSpan.FromMinutes(10));
        var retryAfter = _clock.GetUtcNow() + TimeSpan.FromHours(3);
        _renewer.Failures.Enqueue(new RateLimitedException(
            new AcmeProblem { Type = "urn:ietf:params:acme:error:rateLimited", Detail = "too many certificates" }, HttpMethod.Post, new Uri("https://ca.test/new-order"), 429, retryAfter));
        var third = await _coordinator.CheckAsync(_certificate, force: false, CancellationToken.None);
        Assert.Equal(retryAfter, third.NextPlan.RenewAt); // later than the 100-minute step: the CA's word wins
        var state = await _states.LoadAsync("site", CancellationToken.None);
        Assert.Equal(3, state!.Renewal!.ConsecutiveFailures);
        Assert.Equal(retryAfter, state.Renewal.RetryAfter);
    }

    [Fact]
    public async Task Success_resets_the_failures_and_draws_a_new_fraction_for_the_new_certificate()
    {
        await IssuedDaysAgoAsync(61); // past two thirds of 90 days: due
        var before = (await _coordinator.CheckAsync(_certificate, force: false, CancellationToken.None));
        Assert.Equal(RenewalCheckOutcome.Renewed, before.Outcome);
        var oldFraction = (await _states.LoadAsync("site", CancellationToken.None))!.Renewal!.RandomFraction;

        _renewer.Failures.Enqueue(new HttpRequestException("CA down"));
        await _coordinator.CheckAsync(_certificate, force: true, CancellationToken.None);
        Assert.Equal(1, (await _states.LoadAsync("site", CancellationToken.None))!.Renewal!.ConsecutiveFailures);

        var forced = await _coordinator.CheckAsync(_certificate, force: true, CancellationToken.None);
        Assert.Equal(RenewalCheckOutcome.Renewed, forced.Outcome);
        var state = await _states.LoadAsync("site", CancellationToken.None);
        Assert.Equal(0, state!.Renewal!.ConsecutiveFailures);
        Assert.Null(state.Renewal.LastFailureAt);
        Assert.Equal(state.Current!.Serial, state.Renewal.CertificateSerial);
        Assert.NotEqual(oldFraction, state.Renewal.RandomFraction);
    }

    [Fact]
    public async Task A_certificate_issued_elsewhere_gets_a_fresh_schedule_without_the_old_window()
    {
        await IssuedDaysAgoAsync(10);
        _ari.Answer = new AriRenewalInfo(new AriSuggestedWindow(_clock.GetUtcNow() + TimeSpan.FromDays(1), _clock.GetUtcNow() + TimeSpan.FromDays(2)), null, null);
        await _coordinator.CheckAsync(_certificate, force: false, CancellationToken.None);

        // `certdaemon issue` replaced the certificate; the old ARI window was about its predecessor.
        await IssuedDaysAgoAsync(0);
        _ari.Answer = null; // this CA no longer offers ARI
        var result = await _coordinator.CheckAsync(_certificate, force: false, CancellationToken.None);

        Assert.Equal(RenewalReason.OneThirdLifetime, result.Decision.Reason);
        var state = await _states.LoadAsync("site", CancellationToken.None);
        Assert.Null(state!.Renewal!.AriWindowStart);
        Assert.Equal(state.Current!.Serial, state.Renewal.CertificateSerial);
    }

    private async Task IssuedDaysAgoAsync(double days)
    {
        var notBefore = _clock.GetUtcNow() - TimeSpan.FromDays(days);
        await _states.UpdateAsync("site", s => s with
        {
            Current = new CurrentCertificate(s.History.Count + 1, "0a" + (s.History.Count + 1), _certificate.Domains, "ec256", notBefore, notBefore + TimeSpan.FromDays(90), "aki.serial" + days, Directory, notBefore),
            History = [.. s.History, new CertificateHistoryEntry(s.History.Count + 1, "0a", notBefore + TimeSpan.FromDays(90), notBefore)],
            Targets = new Dictionary<string, TargetState> { ["nginx"] = new() { HeldSerial = "0a" + (s.History.Count + 1) } },
        }, CancellationToken.None);
    }

    private sealed class FakeRenewer(CertificateStateStore states, TimeProvider clock) : ICertificateRenewer
    {
        public Queue<Exception> Failures { get; } = new();

        public int Attempts { get; private set; }

        public int Issued { get; private set; }

        public int DeployRetries { get; private set; }

        /// <summary>nginx refuses every deployment while set (as a broken configuration makes it).</summary>
        public bool NginxBroken { get; set; }

        public async Task<LifecycleOutcome> IssueAndDeployAsync(ManagedCertificate certificate, CancellationToken cancellationToken)
        {
            Attempts++;
            if (Failures.TryDequeue(out var failure))
            {
                throw failure;
            }

            Issued++;
            var now = clock.GetUtcNow();
            var serial = "1f" + Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await states.UpdateAsync(certificate.Name, s => s with
            {
                Current = new CurrentCertificate(Attempts, serial, certificate.Domains, "ec256", now, now + TimeSpan.FromDays(90), "aki." + serial, Directory, now),
                Targets = NginxBroken ? s.Targets : new Dictionary<string, TargetState> { ["nginx"] = new() { HeldSerial = serial } },
            }, cancellationToken);
            return new LifecycleOutcome(certificate.Name, null, null, [await DeployNginxAsync(certificate.Name, serial, cancellationToken)], null);
        }

        public async Task<LifecycleOutcome?> DeployPendingAsync(ManagedCertificate certificate, CancellationToken cancellationToken)
        {
            DeployRetries++;
            var state = await states.LoadAsync(certificate.Name, cancellationToken);
            if (state?.Current is not { } current || state.Targets.GetValueOrDefault("nginx")?.HeldSerial == current.Serial)
            {
                return null;
            }

            return new LifecycleOutcome(certificate.Name, null, null, [await DeployNginxAsync(certificate.Name, current.Serial, cancellationToken)], null);
        }

        /// <summary>What the real lifecycle records: a refusing target keeps its serial and counts the failure.</summary>
        private async Task<CertDaemon.Deployment.DeploymentResult> DeployNginxAsync(string name, string serial, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            await states.UpdateAsync(name, s => s with
            {
                Targets = new Dictionary<string, TargetState>(s.Targets)
                {
                    ["nginx"] = NginxBroken
                        ? (s.Targets.GetValueOrDefault("nginx") ?? new TargetState()) with
                        {
                            LastAttemptAt = now,
                            ConsecutiveFailures = (s.Targets.GetValueOrDefault("nginx")?.ConsecutiveFailures ?? 0) + 1,
                            LastError = new StateError("nginx configuration test failed", now),
                        }
                        : new TargetState { HeldSerial = serial, LastAttemptAt = now, LastSuccessAt = now },
                },
            }, cancellationToken);
            var holding = new CertDaemon.Deployment.TargetHolding(NginxBroken ? "0a1" : serial, true, "nginx");
            return NginxBroken
                ? new CertDaemon.Deployment.DeploymentResult.Failed
                {
                    Target = "nginx", CertificateName = name, Serial = serial, Holding = holding,
                    Message = "nginx configuration test failed", Stage = CertDaemon.Deployment.DeploymentStage.ConfigurationTest,
                }
                : new CertDaemon.Deployment.DeploymentResult.Succeeded { Target = "nginx", CertificateName = name, Serial = serial, Holding = holding, Message = "ok" };
        }
    }

    private sealed class FakeRenewalInfo : IRenewalInfoSource
    {
        public AriRenewalInfo? Answer { get; set; }

        public Exception? Failure { get; set; }

        public int Calls { get; private set; }

        public Task<AriRenewalInfo?> GetAsync(Uri directoryUrl, string ariCertificateId, CancellationToken cancellationToken)
        {
            Calls++;
            return Failure is not null ? Task.FromException<AriRenewalInfo?>(Failure) : Task.FromResult(Answer);
        }
    }

    /// <summary>Returns the given values in turn, round and round.</summary>
    private sealed class SequenceRandom(params double[] values) : Random
    {
        private int _next;

        public override double NextDouble() => values[_next++ % values.Length];
    }
}
