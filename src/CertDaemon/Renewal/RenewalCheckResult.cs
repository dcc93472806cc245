namespace CertDaemon.Renewal;

/// <summary>What one <see cref="RenewalCoordinator.CheckAsync"/> did.</summary>
/// <param name="CertificateName">The certificate.</param>
/// <param name="Decision">The plan the check acted on (due: renewed or failed; not due: why and when).</param>
/// <param name="Outcome">Renewed, failed or not due.</param>
/// <param name="Lifecycle">The issuance's outcome (renewed), or the deploy retry's (not due; null when nothing was pending).</param>
/// <param name="Error">Why the renewal or the deploy retry failed, if it did.</param>
/// <param name="NextPlan">The plan after this check (what <c>status</c> shows next).</param>
/// <param name="NextCheckAt">When to check this certificate again: the earliest of its planned renewal, its next ARI
/// poll and its next regular check.</param>
/// <param name="DeferredBecause">Why a due renewal was not started here (another run renewed it meanwhile, another
/// fleet instance holds the lease); null otherwise.</param>
internal sealed record RenewalCheckResult(
    string CertificateName,
    RenewalDecision Decision,
    RenewalCheckOutcome Outcome,
    LifecycleOutcome? Lifecycle,
    Exception? Error,
    RenewalDecision NextPlan,
    DateTimeOffset NextCheckAt,
    string? DeferredBecause = null)
{
    /// <summary>Nothing failed: no issuance error, no deploy target failed, no deploy retry error.</summary>
    public bool Succeeded => Error is null && (Lifecycle is null || Lifecycle.Succeeded);
}
