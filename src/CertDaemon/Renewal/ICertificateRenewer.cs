namespace CertDaemon.Renewal;

/// <summary>
/// The issue-and-deploy workflow as <see cref="RenewalCoordinator"/> sees it; <see cref="CertificateLifecycle"/> is the
/// implementation, tests substitute their own.
/// </summary>
/// <remarks>
/// Contract: <see cref="IssueAndDeployAsync"/> either returns (the certificate was issued and committed; deploy
/// failures are in the outcome, to be retried by <see cref="DeployPendingAsync"/>) or throws having stored nothing.
/// Both serialise with every other run on the same certificate, in this process and others.
/// </remarks>
internal interface ICertificateRenewer
{
    /// <summary>Issues, commits and deploys a new certificate.</summary>
    Task<LifecycleOutcome> IssueAndDeployAsync(ManagedCertificate certificate, CancellationToken cancellationToken);

    /// <summary>Retries deploy targets that do not hold the current certificate; null when all do.</summary>
    Task<LifecycleOutcome?> DeployPendingAsync(ManagedCertificate certificate, CancellationToken cancellationToken);
}
