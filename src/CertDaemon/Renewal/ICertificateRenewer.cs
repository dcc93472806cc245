namespace CertDaemon.Renewal;

/// <summary>
/// The issue-and-deploy workflow as <see cref="RenewalCoordinator"/> sees it; <see cref="CertificateLifecycle"/> is the
/// implementation, tests substitute their own.
/// </summary>
/// <remarks>
/// Contract: <see cref="IssueAndDeployAsync"/> either returns (the certificate was issued and committed; deploy
/// failures are in the outcome, to be retried by <see cref="DeployPendingAsync"/>) or throws having stored nothing;
/// <see cref="RenewalDeferredException"/> means someone else is renewing it (not a failure).
/// Both serialise with every other run on the same certificate, in this process and others.
/// </remarks>
internal interface ICertificateRenewer
{
    /// <summary>Issues, commits and deploys a new certificate.</summary>
    Task<LifecycleOutcome> IssueAndDeployAsync(ManagedCertificate certificate, CancellationToken cancellationToken);

    /// <summary>Retries deploy targets that do not hold the current certificate; null when all do.</summary>
    Task<LifecycleOutcome?> DeployPendingAsync(ManagedCertificate certificate, CancellationToken cancellationToken);

    /// <summary>
    /// Brings the local certificate up to date from where else it may be renewed (fleet mode: the shared store) before
    /// the check plans; installs and deploys a newer version. Nothing by default. Throws when that source cannot be
    /// reached: the check then reports a failure and retries with backoff, while the installed certificate stays.
    /// </summary>
    Task SynchronizeAsync(ManagedCertificate certificate, CancellationToken cancellationToken) => Task.CompletedTask;
}
