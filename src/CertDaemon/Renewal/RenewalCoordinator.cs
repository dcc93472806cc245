using CertDaemon.Acme;
using CertDaemon.Configuration;
using CertDaemon.Issuance;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Renewal;

/// <summary>
/// One check of one certificate, the same for <c>renew</c> and the daemon: refresh ARI when it is time, plan with
/// <see cref="RenewalPlanner"/>, renew when due (or retry deploy targets that lag), remember the outcome, and say
/// when to look again.
/// </summary>
/// <remarks>
/// Contract: never throws for a failed renewal (the outcome carries the error, <c>RenewalFailed</c> is logged, the
/// backoff is recorded); only cancellation escapes. At most <see cref="RenewalOptions.MaxConcurrentIssuances"/>
/// issuances run at once in this process. ARI problems never block a renewal: planning falls back to the lifetime.
/// </remarks>
internal sealed class RenewalCoordinator(
    CertDaemonOptions options,
    CertificateLifecycle lifecycle,
    CertificateStateStore states,
    AcmeSessions acme,
    TimeProvider time,
    ILogger<RenewalCoordinator> logger,
    Func<double>? random = null) : IDisposable
{
    private readonly SemaphoreSlim _issuances = new(Math.Max(1, options.Renewal.MaxConcurrentIssuances));
    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;

    private RenewalPolicy Policy => RenewalPolicy.Default with { CheckInterval = options.Renewal.CheckInterval };

    public async Task<CheckOutcome> CheckAsync(ManagedCertificate certificate, bool force, CancellationToken cancellationToken)
    {
        var state = await states.LoadAsync(certificate.Name, cancellationToken) ?? new CertificateState { Name = certificate.Name };
        var renewal = state.Renewal ?? new RenewalState(_random());
        if (!force)
        {
            renewal = await RefreshAriAsync(certificate.Name, state.Current, renewal, cancellationToken);
        }

        var now = time.GetUtcNow();
        var decision = RenewalFacts.Plan(certificate, state with { Renewal = renewal }, options.Renewal, now, force);
        if (decision.RenewAt != renewal.PlannedRenewAt || decision.ReasonName != renewal.PlannedReason)
        {
            RenewalLog.RenewalPlanned(logger, certificate.Name, decision.RenewAt, decision.ReasonName, decision.Explanation);
            renewal = renewal with { PlannedRenewAt = decision.RenewAt, PlannedReason = decision.ReasonName };
        }

        await SaveRenewalAsync(certificate.Name, renewal, cancellationToken);
        if (!decision.IsDue(now))
        {
            var pending = await lifecycle.DeployPendingAsync(certificate, cancellationToken);
            var next = NextCheck(now, decision, renewal);
            RenewalLog.CertificateChecked(logger, certificate.Name, decision.RenewAt, next);
            return new CheckOutcome(certificate.Name, decision, pending, null, next);
        }

        await _issuances.WaitAsync(cancellationToken);
        try
        {
            var outcome = await lifecycle.IssueAndDeployAsync(certificate, cancellationToken);
            // A new certificate: fresh random moment, no failures, ARI asked again for the new CertID.
            var fresh = new RenewalState(_random());
            await SaveRenewalAsync(certificate.Name, fresh, cancellationToken);
            var after = await states.LoadAsync(certificate.Name, cancellationToken);
            var nextDecision = RenewalFacts.Plan(certificate, after, options.Renewal, time.GetUtcNow());
            RenewalLog.RenewalPlanned(logger, certificate.Name, nextDecision.RenewAt, nextDecision.ReasonName, nextDecision.Explanation);
            await SaveRenewalAsync(certificate.Name, fresh with { PlannedRenewAt = nextDecision.RenewAt, PlannedReason = nextDecision.ReasonName }, cancellationToken);
            return new CheckOutcome(certificate.Name, decision, outcome, null, NextCheck(time.GetUtcNow(), nextDecision, fresh));
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var failedAt = time.GetUtcNow();
            var failed = renewal with
            {
                ConsecutiveFailures = renewal.ConsecutiveFailures + 1,
                LastFailureAt = failedAt,
                RetryAfter = (exception as RateLimitedException)?.RetryAfter,
            };
            var retry = RenewalFacts.Plan(certificate, state with { Renewal = failed }, options.Renewal, failedAt);
            RenewalLog.RenewalFailed(logger, exception, certificate.Name, exception.Message, retry.RenewAt);
            await SaveRenewalAsync(certificate.Name, failed with { PlannedRenewAt = retry.RenewAt, PlannedReason = retry.ReasonName }, CancellationToken.None);
            return new CheckOutcome(certificate.Name, retry, null, exception, NextCheck(failedAt, retry, failed));
        }
        finally
        {
            _issuances.Release();
        }
    }

    /// <summary>RFC 9773: ask for the suggested window when the last answer's Retry-After has passed.</summary>
    private async Task<RenewalState> RefreshAriAsync(string name, CurrentCertificate? current, RenewalState renewal, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (current?.AriCertificateId is not { } certId || renewal.NextAriCheck > now || current.DirectoryUrl != acme.DefaultDirectoryUrl)
        {
            return renewal;
        }

        try
        {
            var client = await acme.GetClientAsync(null, cancellationToken);
            var directory = await client.GetDirectoryAsync(cancellationToken);
            if (directory.RenewalInfo is null)
            {
                // This CA offers no ARI: plan by lifetime and look again at the next regular check.
                return renewal with { AriCheckedAt = now, NextAriCheck = now + Policy.CheckInterval };
            }

            var info = await client.GetRenewalInfoAsync(new AriCertificateId(certId), cancellationToken);
            var next = RenewalPlanner.NextAriCheck(now, info.RetryAfter is { } at ? at - now : null, Policy, _random());
            RenewalLog.AriWindowReceived(logger, name, info.SuggestedWindow.Start, info.SuggestedWindow.End, info.ExplanationUrl, next);
            return renewal with
            {
                AriWindowStart = info.SuggestedWindow.Start,
                AriWindowEnd = info.SuggestedWindow.End,
                AriExplanationUrl = info.ExplanationUrl,
                AriCheckedAt = now,
                NextAriCheck = next,
            };
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            var next = now + TimeSpan.FromHours(1);
            RenewalLog.AriCheckFailed(logger, exception, name, next);
            return renewal with { NextAriCheck = next };
        }
    }

    private DateTimeOffset NextCheck(DateTimeOffset now, RenewalDecision decision, RenewalState renewal)
    {
        // At least twice a day (ARI polling), at a random offset so many certificates do not check in lockstep.
        var regular = now + Policy.CheckInterval * (1 - (Policy.CheckJitterFraction * _random()));
        var next = regular;
        if (decision.RenewAt > now && decision.RenewAt < next)
        {
            next = decision.RenewAt;
        }

        if (renewal.NextAriCheck is { } ari && ari > now && ari < next)
        {
            next = ari;
        }

        return next;
    }

    private Task SaveRenewalAsync(string name, RenewalState renewal, CancellationToken cancellationToken) =>
        states.UpdateAsync(name, s => s with { Renewal = renewal }, cancellationToken);

    public void Dispose() => _issuances.Dispose();
}
