namespace CertDaemon.Deployment;

/// <summary>
/// Switches the live links of <see cref="DeploymentContext.CertificateName"/> back to the version before
/// <see cref="DeploymentContext.Serial"/>, atomically (the certificate store provides it; deployers only call it).
/// </summary>
/// <remarks>
/// Obligations: it must be safe to call when the live links already point at the previous version (a retried
/// deployment) and must return <see cref="LiveRollbackResult.NoPreviousVersion"/> rather than fail on a first issuance.
/// It reports expected failures as <see cref="LiveRollbackResult.Failed"/> instead of throwing. It never deletes the
/// new version from the archive: the next check switches forward to it again and retries the deployment.
/// </remarks>
internal delegate Task<LiveRollbackResult> LiveVersionRollback(DeploymentContext context, CancellationToken cancellationToken);
