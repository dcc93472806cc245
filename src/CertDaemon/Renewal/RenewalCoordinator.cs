using System.Collections.Concurrent;
using CertDaemon.Acme;
using CertDaemon.Configuration;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Renewal;

/// <summary>
/// One check of one certificate, the same for the daemon's scheduled job and <c>certdaemon renew</c>: refresh the
/// schedule's memory (random fraction, ARI window), ask <see cref="RenewalPlanner"/> (through
/// <see cref="RenewalFacts"/>), renew when due, otherwise retry failed deploy targets; say when to look again.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The random fraction that picks the moment inside an ARI window is drawn once per certificate version and
/// stored, so every check (and every process) plans the same moment.</item>
/// <item>ARI (RFC 9773) is asked when the current certificate has a CertID, was issued by the configured CA, and
/// its next ARI check is due; the CA's Retry-After is honoured (clamped to [1 min, 12 h]). ARI failures are logged
/// and never block a renewal: the planner falls back to the lifetime rule.</item>
/// <item><c>RenewalPlanned</c> is logged when the plan changes, not at every check.</item>
/// <item>A failed renewal increments the stored failure count (backoff 1 min, 10 min, 100 min, then the regular
/// check; a rate limit's Retry-After is honoured) and is logged as <c>RenewalFailed</c> with the retry time; it is
/// never thrown. Only cancellation and state-file errors escape.</item>
/// </list>
/// </remarks>
internal sealed class RenewalCoordinator(
    CertDaemonOptions options,
    CertificateStateStore states,
    ICertificateRenewer renewer,
    IRenewalInfoSource renewalInfo,
    Random random,
    TimeProvider time,
    ILogger<RenewalCoordinator> logger,
    IEnumerable<IRenewalCheckObserver>? observers = null,
    LiveCertificateAdoption? adoption = null,
    Sources.AcmExport.AcmExportWatch? acmExport = null)
{
    private readonly IReadOnlyList<IRenewalCheckObserver> _observers = [.. observers ?? []];
    private readonly ConcurrentDictionary<string, (RenewalReason Reason, DateTimeOffset? At)> _announced = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>The <see cref="StateError.Kind"/> of a failed synchronisation (fleet store unreachable), cleared by the next success.</summary>
    public const string SynchronizationErrorKind = "synchronization";

    private readonly RenewalPolicy _policy = RenewalPolicy.Default with { CheckInterval = options.Renewal.CheckInterval };

    /// <summary>
    /// Checks <paramref name="certificate"/> once; renews it when due (or when <paramref name="force"/>). The outcome
    /// is recorded in the state's <see cref="CheckHistory"/> and told to every <see cref="IRenewalCheckObserver"/>.
    /// </summary>
    public async Task<RenewalCheckResult> CheckAsync(ManagedCertificate certificate, bool force, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var result = await CheckOnceAsync(certificate, force, cancellationToken);
        await RecordCheckAsync(certificate, result, cancellationToken);
        return result;
    }

    private async Task<RenewalCheckResult> CheckOnceAsync(ManagedCertificate certificate, bool force, CancellationToken cancellationToken)
    {
        var name = certificate.Name;
        if (await SynchronizeAsync(certificate, cancellationToken) is { } unreachable)
        {
            return unreachable;
        }

        var now = time.GetUtcNow();
        var state = await RefreshScheduleAsync(certificate, now, cancellationToken);
        var decision = RenewalFacts.Plan(certificate, state, options.Renewal, now, force);
        if (acmExport is not null)
        {
            // An acm-export certificate is renewed by ACM: a new serial there makes it due now.
            decision = await acmExport.ReviewAsync(certificate, state, decision, now, cancellationToken);
        }

        Announce(name, decision, now);

        if (!decision.IsDue(now))
        {
            LifecycleOutcome? deployed = null;
            Exception? deployError = null;
            try
            {
                deployed = await renewer.DeployPendingAsync(certificate, cancellationToken);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                RenewalLog.DeployRetryFailed(logger, exception, name, exception.Message);
                deployError = exception;
            }

            if (deployed is { Succeeded: false } retried)
            {
                deployError = NotDeployed(retried);
            }

            var after = deployed is null && deployError is null ? state : await states.LoadAsync(name, cancellationToken);
            var nextCheck = NextCheckAt(certificate, after, decision, time.GetUtcNow());
            if (deployError is not null)
            {
                RenewalLog.RenewalFailed(logger, deployError, name, deployError.Message, nextCheck, FailingTargets(certificate, after));
            }

            return new RenewalCheckResult(name, decision, RenewalCheckOutcome.NotDue, deployed, deployError, decision, nextCheck);
        }

        try
        {
            return await RenewNowAsync(certificate, decision, state, cancellationToken);
        }
        catch (RenewalDeferredException deferred) when (!cancellationToken.IsCancellationRequested)
        {
            RenewalLog.RenewalDeferred(logger, name, deferred.Message, deferred.RetryAt);
            var retryAt = deferred.RetryAt > time.GetUtcNow() ? deferred.RetryAt : time.GetUtcNow() + _policy.BackoffSteps[0];
            return new RenewalCheckResult(name, decision, RenewalCheckOutcome.NotDue, null, null, decision, retryAt, deferred.Message);
        }
    }

    /// <summary>
    /// Issues <paramref name="certificate"/> now, whatever the schedule says (<c>certdaemon issue</c>), and reports the
    /// outcome exactly as a check's: <c>RenewalFailed</c>, the failure count and its backoff, the
    /// <see cref="CheckHistory"/> and every <see cref="IRenewalCheckObserver"/> (metrics, notifications). Unlike
    /// <see cref="CheckAsync"/> it neither synchronises nor polls ARI first: the operator asked for a new certificate.
    /// </summary>
    /// <exception cref="RenewalDeferredException">Another fleet instance holds the certificate's lease: nothing was tried.</exception>
    public async Task<RenewalCheckResult> IssueNowAsync(ManagedCertificate certificate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var state = await states.LoadAsync(certificate.Name, cancellationToken);
        var decision = RenewalFacts.Plan(certificate, state, options.Renewal, time.GetUtcNow(), force: true);
        var result = await RenewNowAsync(certificate, decision, state, cancellationToken);
        await RecordCheckAsync(certificate, result, cancellationToken);
        return result;
    }

    /// <summary>Issues and deploys a due certificate; a failure is recorded and returned, a deferral thrown.</summary>
    private async Task<RenewalCheckResult> RenewNowAsync(ManagedCertificate certificate, RenewalDecision decision, CertificateState? state, CancellationToken cancellationToken)
    {
        var name = certificate.Name;

        // An order whose result cannot be recorded spends the CA's rate limit and leaves the live files ahead of the
        // state: a read-only or full state directory fails here, before anything is ordered (a state-file error
        // escapes, as it does from every other state write of a check). It is a probe beside the state file, never a
        // rewrite of it: this runs before the run lock, and a rewrite could put back a state another process just saved.
        await states.EnsureWritableAsync(name, cancellationToken);
        RenewalLog.RenewalStarting(logger, name, decision.ReasonName);
        LifecycleOutcome outcome;
        try
        {
            outcome = await renewer.IssueAndDeployAsync(certificate, cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested && exception is not RenewalDeferredException)
        {
            return await RecordFailureAsync(certificate, decision, exception, state, cancellationToken);
        }

        if (adoption is not null)
        {
            // certbot may have renewed through live/NAME while this run deployed (its nginx test failing meanwhile
            // left certbot's version live): that version is the current one from now on.
            await adoption.ReconcileAsync(name, cancellationToken);
        }

        // A new version: a new fraction, no ARI window (the old one was about the predecessor), no failures.
        var renewedAt = time.GetUtcNow();
        var renewed = await states.UpdateAsync(name, s => s with { Renewal = new RenewalState(random.NextDouble(), CertificateSerial: s.Current?.Serial) }, cancellationToken);
        renewed = await RefreshAriAsync(certificate, renewed, renewedAt, cancellationToken);
        var next = RenewalFacts.Plan(certificate, renewed, options.Renewal, renewedAt);
        Announce(name, next, renewedAt);
        var nextCheckAt = NextCheckAt(certificate, renewed, next, renewedAt);
        if (!outcome.Succeeded)
        {
            // Issued but not everywhere: a failed run. The refusing targets keep serving the previous version, so the
            // next check comes at the deploy backoff, not at the new version's renewal time.
            var failure = NotDeployed(outcome);
            RenewalLog.RenewalFailed(logger, failure, name, failure.Message, nextCheckAt, FailingTargets(certificate, renewed));
            return new RenewalCheckResult(name, decision, RenewalCheckOutcome.NotDeployed, outcome, failure, next, nextCheckAt);
        }

        return new RenewalCheckResult(name, decision, RenewalCheckOutcome.Renewed, outcome, null, next, nextCheckAt);
    }

    private static DeploymentFailedException NotDeployed(LifecycleOutcome outcome) =>
        new(outcome.CertificateName, outcome.FailedDeployments.First().Serial, [.. outcome.FailedDeployments]);

    private static int FailingTargets(ManagedCertificate certificate, CertificateState? state) =>
        certificate.TargetNames.Select(t => state?.Targets.GetValueOrDefault(t)?.ConsecutiveFailures ?? 0).DefaultIfEmpty(0).Max();

    /// <summary>Saves what this check amounted to (last check, failed-run counter, failing since) and tells the observers.</summary>
    private async Task RecordCheckAsync(ManagedCertificate certificate, RenewalCheckResult result, CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        CheckHistory? before = null;
        var saved = await states.UpdateAsync(certificate.Name, s =>
        {
            before = s.Checks;
            var history = s.Checks ?? new CheckHistory(null);
            return s with
            {
                Checks = result.Succeeded
                    ? history with { LastCheckAt = at, FailingSince = null, LastFailure = null }
                    : history with
                    {
                        LastCheckAt = at,
                        FailedRuns = history.FailedRuns + 1,
                        FailingSince = history.FailingSince ?? at,
                        LastFailure = result.Error?.Message,
                    },
            };
        }, cancellationToken);
        foreach (var observer in _observers)
        {
            try
            {
                await observer.OnCheckedAsync(certificate, result, before, saved, cancellationToken);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                RenewalLog.CheckObserverFailed(logger, exception, certificate.Name, observer.GetType().Name, exception.Message);
            }
        }
    }

    /// <summary>
    /// Runs the renewer's synchronisation (fleet mode). When it fails, the check is a failure (<c>RenewalFailed</c>,
    /// the failure count, <c>status</c>'s last error) retried after the backoff step, capped at the check interval;
    /// the installed certificate is untouched. The next successful synchronisation clears that error.
    /// </summary>
    private async Task<RenewalCheckResult?> SynchronizeAsync(ManagedCertificate certificate, CancellationToken cancellationToken)
    {
        try
        {
            await renewer.SynchronizeAsync(certificate, cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested && exception is not OperationCanceledException)
        {
            var now = time.GetUtcNow();
            var state = await states.LoadAsync(certificate.Name, cancellationToken);
            var failed = await RecordFailureAsync(certificate, RenewalFacts.Plan(certificate, state, options.Renewal, now), exception, state, cancellationToken, SynchronizationErrorKind);
            var failures = (await states.LoadAsync(certificate.Name, cancellationToken))?.Renewal?.ConsecutiveFailures ?? 1;
            var step = _policy.BackoffSteps[Math.Clamp(failures - 1, 0, _policy.BackoffSteps.Count - 1)];
            var retryAt = now + (step < _policy.CheckInterval ? step : _policy.CheckInterval);
            return failed with { NextCheckAt = failed.NextCheckAt < retryAt ? failed.NextCheckAt : retryAt };
        }

        var synced = await states.LoadAsync(certificate.Name, cancellationToken);
        if (synced?.LastError?.Kind == SynchronizationErrorKind)
        {
            await states.UpdateAsync(certificate.Name, s => s with
            {
                LastError = null,
                Renewal = s.Renewal is null ? null : s.Renewal with { ConsecutiveFailures = 0, LastFailureAt = null, RetryAfter = null },
            }, cancellationToken);
        }

        return null;
    }

    private async Task<RenewalCheckResult> RecordFailureAsync(
        ManagedCertificate certificate, RenewalDecision decision, Exception exception, CertificateState? known, CancellationToken cancellationToken,
        string? errorKind = null)
    {
        var failedAt = time.GetUtcNow();
        var retryAfter = FindRetryAfter(exception);
        CertificateState Failed(CertificateState s)
        {
            var renewal = Fresh(s);
            return s with
            {
                LastError = errorKind is null ? s.LastError : new StateError(exception.Message, failedAt, errorKind),
                Renewal = renewal with
                {
                    ConsecutiveFailures = renewal.ConsecutiveFailures + 1,
                    LastFailureAt = failedAt,
                    RetryAfter = retryAfter,
                },
            };
        }

        CertificateState failed;
        try
        {
            failed = await states.UpdateAsync(certificate.Name, Failed, cancellationToken);
        }
        catch (CertificateStoreException stateError)
        {
            // The failure is reported all the same (RenewalFailed below); the unwritable state is its own warning.
            LifecycleLog.StateNotRecorded(logger, stateError, certificate.Name);
            failed = Failed(known ?? new CertificateState { Name = certificate.Name });
        }

        var retry = RenewalFacts.Plan(certificate, failed, options.Renewal, failedAt);
        RenewalLog.RenewalFailed(logger, exception, certificate.Name, exception.Message, retry.RenewAt, failed.Renewal!.ConsecutiveFailures);
        Announce(certificate.Name, retry, failedAt);
        return new RenewalCheckResult(certificate.Name, decision, RenewalCheckOutcome.Failed, null, exception, retry, NextCheckAt(certificate, failed, retry, failedAt));
    }

    /// <summary>Makes sure the stored schedule belongs to the current certificate version, then polls ARI if due.</summary>
    private async Task<CertificateState?> RefreshScheduleAsync(ManagedCertificate certificate, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // A live certificate CertDaemon did not write (certbot's) becomes the current one before planning.
        var state = adoption is null
            ? await states.LoadAsync(certificate.Name, cancellationToken)
            : await adoption.ReconcileAsync(certificate.Name, cancellationToken);
        if (state is null)
        {
            // Never issued and never failed: "missing" needs no schedule, and status must not create files.
            return null;
        }

        if (state.Renewal is null || state.Renewal.CertificateSerial != state.Current?.Serial)
        {
            state = await states.UpdateAsync(certificate.Name, s => s with { Renewal = Fresh(s) }, cancellationToken);
        }

        return await RefreshAriAsync(certificate, state, now, cancellationToken);
    }

    private async Task<CertificateState> RefreshAriAsync(ManagedCertificate certificate, CertificateState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!AriApplies(state, now) || state.Renewal?.NextAriCheck > now)
        {
            return state;
        }

        var current = state.Current!;
        var name = certificate.Name;
        AriRenewalInfo? info;
        try
        {
            info = await renewalInfo.GetAsync(current.DirectoryUrl, current.AriCertificateId!, cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // ARI is advice: without it the lifetime rule (or the last window we got) still plans the renewal.
            var retryIn = _policy.CheckInterval < TimeSpan.FromHours(1) ? _policy.CheckInterval : TimeSpan.FromHours(1);
            var retryAt = RenewalPlanner.NextAriCheck(now, retryIn, _policy, random.NextDouble());
            RenewalLog.AriCheckFailed(logger, exception, name, exception.Message, retryAt);
            return await states.UpdateAsync(name, s => s with { Renewal = Fresh(s) with { NextAriCheck = retryAt } }, cancellationToken);
        }

        if (info is null)
        {
            RenewalLog.AriNotOffered(logger, name);
            var later = RenewalPlanner.NextAriCheck(now, null, _policy, random.NextDouble());
            return await states.UpdateAsync(name, s => s with
            {
                Renewal = Fresh(s) with { AriWindowStart = null, AriWindowEnd = null, AriExplanationUrl = null, AriCheckedAt = now, NextAriCheck = later },
            }, cancellationToken);
        }

        // RFC 9773 4.3: poll again after Retry-After (clamped), else at the regular interval with jitter.
        var nextCheck = RenewalPlanner.NextAriCheck(now, info.RetryAfter is { } at ? at - now : null, _policy, random.NextDouble());
        var window = info.SuggestedWindow;
        var previous = state.Renewal;
        if (previous?.AriWindowStart != window.Start || previous.AriWindowEnd != window.End || info.ExplanationUrl is not null)
        {
            RenewalLog.AriWindowReceived(logger, name, window.Start, window.End, info.ExplanationUrl?.ToString(), nextCheck);
        }

        return await states.UpdateAsync(name, s => s with
        {
            Renewal = Fresh(s) with
            {
                AriWindowStart = window.Start,
                AriWindowEnd = window.End,
                AriExplanationUrl = info.ExplanationUrl,
                AriCheckedAt = now,
                NextAriCheck = nextCheck,
            },
        }, cancellationToken);
    }

    /// <summary>
    /// ARI is asked about a live, unexpired certificate with a CertID from a configured CA (the primary or a fallback):
    /// always the CA that issued it, which alone knows the certificate.
    /// </summary>
    private bool AriApplies(CertificateState? state, DateTimeOffset now) =>
        state?.Current is { AriCertificateId: not null, RevokedAt: null } current
        && (current.DirectoryUrl == options.Acme.DirectoryUrl || options.Acme.Fallback.Any(f => f.DirectoryUrl == current.DirectoryUrl))
        && now < current.NotAfter;

    /// <summary>The stored schedule when it belongs to the current version; otherwise a fresh one for it.</summary>
    private RenewalState Fresh(CertificateState state) =>
        state.Renewal is { } renewal && renewal.CertificateSerial == state.Current?.Serial
            ? renewal
            : new RenewalState(random.NextDouble(), CertificateSerial: state.Current?.Serial);

    private DateTimeOffset NextCheckAt(ManagedCertificate certificate, CertificateState? state, RenewalDecision plan, DateTimeOffset now)
    {
        // The regular check: at most CheckInterval (12 h by default, so at least twice a day), up to 10% early at random.
        var next = RenewalPlanner.NextAriCheck(now, null, _policy, random.NextDouble());
        if (plan.RenewAt < next)
        {
            next = plan.RenewAt;
        }

        if (AriApplies(state, now) && state!.Renewal?.NextAriCheck is { } ari && ari < next)
        {
            next = ari;
        }

        // A target that did not take the live version serves an older one: retry it at the deploy backoff.
        if (DeployRetryPlan.NextAttempt(state, certificate.TargetNames, _policy, now) is { } retry && retry < next)
        {
            next = retry;
        }

        // Never a busy loop: a plan that is still due right after acting on it waits for the first backoff step.
        return next > now ? next : now + _policy.BackoffSteps[0];
    }

    private void Announce(string name, RenewalDecision decision, DateTimeOffset now)
    {
        // "Now" plans carry the current time, which differs at every check: compare them by reason only. A planned
        // moment that has simply arrived is the same plan, not a new one.
        var due = decision.IsDue(now);
        (RenewalReason Reason, DateTimeOffset? At) key = (decision.Reason, due ? null : decision.RenewAt);
        if (_announced.TryGetValue(name, out var last)
            && last.Reason == key.Reason
            && (last.At == key.At || (due && (last.At is null || last.At <= now))))
        {
            return;
        }

        _announced[name] = key;
        RenewalLog.RenewalPlanned(logger, name, decision.RenewAt, decision.ReasonName, decision.Explanation);
    }

    private static DateTimeOffset? FindRetryAfter(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is RateLimitedException { RetryAfter: { } at })
            {
                return at;
            }
        }

        return null;
    }
}
