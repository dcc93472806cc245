namespace CertDaemon.Renewal;

/// <summary>What one check of one certificate did, and when to look again.</summary>
/// <param name="Lifecycle">The issue-and-deploy (or deploy-retry) run, when one happened.</param>
/// <param name="Error">The failure of this check, when it failed (also logged as <c>RenewalFailed</c>).</param>
internal sealed record CheckOutcome(
    string CertificateName,
    RenewalDecision Decision,
    LifecycleOutcome? Lifecycle,
    Exception? Error,
    DateTimeOffset NextCheckAt)
{
    public bool Renewed => Lifecycle?.Issued is not null;

    public bool Succeeded => Error is null && (Lifecycle?.Succeeded ?? true);
}
